export class LettaHealthDto {
  /** Always ok when the server answers. */
  status: string;
  /** The version of Letta's client this API follows. */
  version: string;
}
