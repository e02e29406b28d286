/** What the database can do, settled once at boot (after migrations). */
export class DatabaseState {
  constructor(
    readonly mode: 'embedded' | 'postgres',
    readonly vector: boolean,
    readonly vectorReason: string | undefined,
  ) {}
}
