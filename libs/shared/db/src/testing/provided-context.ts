declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test run's PostgreSQL server (set by global-setup). */
    pimsPgUrl: string;
  }
}
export {};
