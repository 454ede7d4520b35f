/** The first ```ts block of a README's text, or undefined. */
export declare function firstTsBlock(text: string): string | undefined;
