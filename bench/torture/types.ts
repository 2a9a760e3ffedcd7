// A torture case: what it promises, and how it checks the promise on a live server.
export interface Scale {
  /** The CI part: fewer clients, shorter runs, the same promises. */
  quick: boolean;
}

export interface Outcome {
  pass: boolean;
  /** What was measured, for the table. */
  figures: string;
}

export interface TortureCase {
  name: string;
  promise: string;
  /** Runs in --quick too. */
  quick: boolean;
  run(scale: Scale): Promise<Outcome>;
}

export const MB = 1024 * 1024;
export const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
