import { ConfigValidationError, loadConfig } from '../config/app-config.js';
import { otlpTracesUrl } from './tracing.js';

describe('tracing settings', () => {
  it('sends spans to the /v1/traces path of the collector endpoint', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otel.example.com/base/')).toBe('https://otel.example.com/base/v1/traces');
  });

  it('is off by default and samples every trace once on', () => {
    const config = loadConfig({});
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(config.OTEL_TRACES_SAMPLE_RATIO).toBe(1);
    expect(loadConfig({ OTEL_TRACES_SAMPLE_RATIO: '0.25' }).OTEL_TRACES_SAMPLE_RATIO).toBe(0.25);
  });

  it.each([
    ['OTEL_TRACES_SAMPLE_RATIO', '1.5'],
    ['OTEL_TRACES_SAMPLE_RATIO', 'half'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
