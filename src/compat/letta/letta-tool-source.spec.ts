import { checkJavaScript, FUNCTION_NAME } from './letta-tool-source.js';

describe("Letta tools' source", () => {
  it('takes JavaScript: a function body, or a module exporting a function', () => {
    expect(() => checkJavaScript('return args.a + args.b;', undefined)).not.toThrow();
    expect(() =>
      checkJavaScript('export default function add({ a, b }) {\n  return a + b;\n}', 'javascript'),
    ).not.toThrow();
    expect(() => checkJavaScript('/**\n * @param a first\n */\nreturn args.a;', 'JS')).not.toThrow();
  });

  it('refuses Python source, naming source_code', () => {
    for (const source of [
      'def roll_dice() -> str:\n    return "4"',
      'async def fetch(url):\n    pass',
      'import json\nreturn json.dumps({})',
      'from datetime import datetime\n',
      'x = 1\n"""docstring"""',
    ])
      expect(() => checkJavaScript(source, undefined)).toThrow(/^source_code looks like Python/);
  });

  it('refuses a source type other than JavaScript, naming source_type', () => {
    expect(() => checkJavaScript('return 1', 'python')).toThrow(/^source_type python is not supported/);
    expect(() => checkJavaScript('return 1', 'typescript')).toThrow(/^source_type typescript/);
  });

  it("finds the name of the source's first function", () => {
    expect(FUNCTION_NAME.exec('export default async function get_weather(args) {}')?.[1]).toBe('get_weather');
    expect(FUNCTION_NAME.exec('return args.a')).toBeNull();
  });
});
