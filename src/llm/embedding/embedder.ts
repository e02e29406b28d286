/** Turns texts into vectors of a fixed size. */
export interface Embedder {
  /** Names the model: recorded with the stored vectors, so a change of model is detected. */
  readonly id: string;
  readonly dimensions: number;
  /** Whether its vectors carry meaning (a neural model) or only word overlap (lexical). */
  readonly semantic: boolean;
  /** Whether a vector costs more to compute than a round trip to Redis (then replicas share them there). */
  readonly costly: boolean;
  embed(texts: string[]): Promise<number[][]>;
}
