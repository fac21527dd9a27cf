/** What one writer thread of the disk benchmark does. */
export interface AppendJob {
  readonly path: string;
  readonly appends: number;
  readonly bytes: number;
  /** Append over zeros written (and fsynced) beforehand, instead of growing the file. */
  readonly zeroFilled: boolean;
}
