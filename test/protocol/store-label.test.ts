import { describe, expect, it } from 'vitest';
import { idFromStoreLabel, storeLabel } from '../../src/protocol/store-label.js';

// What any LangGraph store refuses in a label (see src/protocol/store-label.ts): checked here without a store; the
// store-facts test proves the labels on InMemoryStore, PostgresStore and the chaos wrapper.
const refused = (label: string) => /[.:%_\\]/.test(label) || label.includes('\u0000');

const ids = [
  'batch_bridge',
  'my.bridge',
  'langgraph',
  'LangGraph',
  '',
  '~',
  '~6Canggraph',
  'a:b',
  '100%',
  'back\\slash',
  'nul\u0000byte',
  'café',
  '日本語',
  '🦜🔗',
  '\ud800',
  '\udfff',
  '\ufffd',
  ' spaced out ',
  'bridge-1',
];

describe('storeLabel', () => {
  it('keeps letters, digits and hyphens readable', () => {
    expect(storeLabel('bridge-1')).toBe('bridge-1');
    expect(storeLabel('OpenAI4')).toBe('OpenAI4');
  });

  it('escapes everything else, the escape character included', () => {
    expect(storeLabel('batch_bridge')).toBe('batch~5Fbridge');
    expect(storeLabel('my.bridge')).toBe('my~2Ebridge');
    expect(storeLabel('a:b')).toBe('a~3Ab');
    expect(storeLabel('~')).toBe('~7E');
    expect(storeLabel('café')).toBe('caf~E9');
    expect(storeLabel('日')).toBe('~u65E5');
  });

  it('never gives the empty label or the reserved root `langgraph`', () => {
    expect(storeLabel('')).toBe('~');
    expect(storeLabel('langgraph')).toBe('~6Canggraph');
    expect(storeLabel('LangGraph')).toBe('LangGraph');
  });

  it('gives labels no LangGraph store refuses', () => {
    for (const id of ids) {
      const label = storeLabel(id);
      expect(label, id).not.toBe('');
      expect(label, id).not.toBe('langgraph');
      expect(refused(label), id).toBe(false);
    }
  });

  it('is stable and collision-free: every label decodes back to its id', () => {
    const labels = ids.map(storeLabel);
    expect(new Set(labels).size).toBe(ids.length);
    expect(ids.map(storeLabel)).toEqual(labels);
    for (const id of ids) expect(idFromStoreLabel(storeLabel(id))).toBe(id);
  });

  it('keeps lone surrogates apart from each other and from U+FFFD', () => {
    expect(storeLabel('\ud800')).toBe('~uD800');
    expect(storeLabel('\ufffd')).toBe('~uFFFD');
  });

  it('round-trips random strings of any code units', () => {
    // A fixed linear congruential sequence: the same strings on every run.
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    const seen = new Map<string, string>();
    for (let n = 0; n < 2000; n += 1) {
      const length = next() % 12;
      let id = '';
      for (let i = 0; i < length; i += 1)
        id += String.fromCharCode(next() % 4 === 0 ? next() % 0x10000 : 32 + (next() % 95));
      const label = storeLabel(id);
      expect(refused(label), id).toBe(false);
      expect(idFromStoreLabel(label)).toBe(id);
      const earlier = seen.get(label);
      if (earlier !== undefined) expect(earlier).toBe(id);
      seen.set(label, id);
    }
  });

  it('refuses strings it cannot have produced', () => {
    for (const label of ['langgraph', '~41', '~u0041', '~7', '~zz', 'a.b', 'a_b', '~6canggraph']) {
      expect(() => idFromStoreLabel(label), label).toThrow(/not a store label/);
    }
  });
});
