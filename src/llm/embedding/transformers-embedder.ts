import { basename, dirname, join, resolve } from 'node:path';
import type { Embedder } from './embedder.js';

type Extractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ dims: number[]; tolist(): number[][] }>;

/**
 * A neural sentence embedder running in-process: transformers.js on ONNX Runtime (mean-pooled,
 * normalized token embeddings, as sentence-transformers models are meant to be used). The model
 * comes from a local folder (EMBEDDING_MODEL_PATH, offline) or, when EMBEDDING_MODEL names a hub
 * model, is downloaded once into DATA_DIR/models. Texts are embedded in batches.
 */
export class TransformersEmbedder implements Embedder {
  readonly semantic = true;
  readonly costly = true;

  private constructor(
    readonly id: string,
    readonly dimensions: number,
    private readonly extract: Extractor,
  ) {}

  static async load(source: { path: string } | { model: string; cacheDir: string }): Promise<TransformersEmbedder> {
    const { env, pipeline } = await import('@huggingface/transformers');
    let name: string;
    if ('path' in source) {
      const folder = resolve(source.path);
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = `${dirname(folder)}/`;
      name = basename(folder);
    } else {
      env.allowRemoteModels = true;
      env.cacheDir = join(source.cacheDir, 'models');
      name = source.model;
    }
    const extract = (await pipeline('feature-extraction', name, { dtype: 'fp32' })) as unknown as Extractor;
    const probe = await extract(['dimension probe'], { pooling: 'mean', normalize: true });
    return new TransformersEmbedder(`transformers:${name}/${probe.dims[1]}`, probe.dims[1], extract);
  }

  async embed(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += 32) {
      const batch = await this.extract(texts.slice(i, i + 32), { pooling: 'mean', normalize: true });
      out.push(...batch.tolist());
    }
    return out;
  }
}
