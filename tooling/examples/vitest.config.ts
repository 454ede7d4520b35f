import { sluiceProject } from '@sluice/config/vitest';

export default sluiceProject('readme-examples');
