import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Builds, in a folder, the smallest model that transformers.js loads as a BERT feature
 * extractor: a WordPiece tokenizer and an ONNX graph that is one embedding lookup (Gather).
 * Its vectors are chosen so that synonyms coincide ("car", "automobile", "vehicle"), which no
 * lexical embedder can know: a test that finds "car" when asked "automobile" proves the
 * neural path ran. (No real model can be had on these machines; the code path is the same.)
 */

// --- a minimal protobuf writer (the subset ONNX needs) ---
function varint(value: number): number[] {
  const out: number[] = [];
  let v = BigInt(value);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, value: number) => [...tag(field, 0), ...varint(value)];
const bytes = (field: number, data: ArrayLike<number>) => [
  ...tag(field, 2),
  ...varint(data.length),
  ...Array.from(data),
];
const str = (field: number, s: string) => bytes(field, Buffer.from(s, 'utf8'));

const dim = (param: string | number) => bytes(1, typeof param === 'number' ? int(1, param) : str(2, param));
const tensorType = (elemType: number, dims: (string | number)[]) =>
  bytes(1, [...int(1, elemType), ...bytes(2, dims.flatMap(dim))]);
const valueInfo = (name: string, elemType: number, dims: (string | number)[]) => [
  ...str(1, name),
  ...bytes(2, tensorType(elemType, dims)),
];

const FLOAT = 1;
const INT64 = 7;

function onnxModel(table: Float32Array, vocabSize: number, dims: number): Uint8Array {
  const node = [
    ...str(1, 'embeddings'),
    ...str(1, 'input_ids'),
    ...str(2, 'last_hidden_state'),
    ...str(3, 'lookup'),
    ...str(4, 'Gather'),
  ];
  const initializer = [
    ...int(1, vocabSize),
    ...int(1, dims),
    ...int(2, FLOAT),
    ...str(8, 'embeddings'),
    ...bytes(9, new Uint8Array(table.buffer)),
  ];
  const graph = [
    ...bytes(1, node),
    ...str(2, 'tiny'),
    ...bytes(5, initializer),
    ...bytes(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    ...bytes(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    ...bytes(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', dims])),
  ];
  return Uint8Array.from([...int(1, 8), ...str(2, 'agentmem-test'), ...bytes(7, graph), ...bytes(8, int(2, 13))]);
}

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
/** Words of one group share one direction; every other token embeds to zero. */
export const SYNONYMS = [
  ['car', 'automobile', 'vehicle', 'cars'],
  ['dog', 'puppy', 'canine', 'dogs'],
  ['pizza', 'pasta', 'food', 'lasagna'],
  ['guitar', 'violin', 'music', 'piano'],
];
const FILLER = [
  'i',
  'bought',
  'a',
  'new',
  'my',
  'is',
  'sleeping',
  'we',
  'ate',
  'play',
  'the',
  'red',
  'an',
  'old',
  'likes',
  'loves',
  'and',
];

export async function writeTinyModel(
  root: string,
  name = 'tiny-bert',
  dims = 16,
): Promise<{ path: string; dims: number }> {
  const folder = join(root, name);
  await mkdir(join(folder, 'onnx'), { recursive: true });
  const words = [...SPECIAL, ...SYNONYMS.flat(), ...FILLER];
  const vocab = Object.fromEntries(words.map((w, i) => [w, i]));
  const table = new Float32Array(words.length * dims);
  SYNONYMS.forEach((group, g) => {
    for (const word of group) table[vocab[word] * dims + g] = 1; // group g points along axis g
  });
  await writeFile(join(folder, 'onnx', 'model.onnx'), onnxModel(table, words.length, dims));
  await writeFile(
    join(folder, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: dims, vocab_size: words.length }),
  );
  await writeFile(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 128,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
  );
  const special = (content: string) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  await writeFile(
    join(folder, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: SPECIAL.map(special),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
        ],
        pair: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: '[SEP]', type_id: 1 } },
        ],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
        },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab,
      },
    }),
  );
  return { path: folder, dims };
}
