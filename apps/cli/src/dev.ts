/**
 * The development entry behind `pnpm sluice …` (from source, through tsx).
 * pnpm runs a script in its package's folder and says where the user was in
 * INIT_CWD; the CLI works there, so relative paths mean what the user typed.
 * The published binary (`bin.ts`) never looks at INIT_CWD.
 */
const userDirectory = process.env.INIT_CWD;
if (userDirectory !== undefined && userDirectory !== '') process.chdir(userDirectory);
await import('./bin');
export {};
