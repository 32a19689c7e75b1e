/** Types for the `punycode.js` package (markdown-it's own dependency; it ships no types). */
declare module 'punycode.js' {
  export function toUnicode(domain: string): string;
  export function toASCII(domain: string): string;
}
