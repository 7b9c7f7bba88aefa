import { faultMarkerPattern } from '../types.js';

/** One `[[fault:key=value,...]]` marker found in a request. Its full text is its identity for `times` counting. */
export interface FaultMarker {
  text: string;
  settings: ReadonlyMap<string, string>;
}

function parseMarker(text: string, inner: string): FaultMarker {
  const settings = new Map<string, string>();
  for (const pair of inner.split(',')) {
    const [key, ...rest] = pair.split('=');
    if (key.trim()) settings.set(key.trim(), rest.join('=').trim());
  }
  return { text, settings };
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into);
  }
}

/**
 * Every distinct marker anywhere in a request body. Walking all strings (not only known message fields) means a
 * marker works in chat content parts, Responses input items and embedding inputs alike.
 */
export function findFaultMarkers(body: unknown): FaultMarker[] {
  const strings: string[] = [];
  collectStrings(body, strings);
  const markers = new Map<string, FaultMarker>();
  for (const text of strings) {
    if (!text.includes('[[fault:')) continue;
    for (const match of text.matchAll(new RegExp(faultMarkerPattern.source, 'g'))) {
      if (!markers.has(match[0])) markers.set(match[0], parseMarker(match[0], match[1]));
    }
  }
  return [...markers.values()];
}

/** Every distinct marker in raw text, such as an uploaded JSONL file; cheap when the text holds none. */
export function findFaultMarkersInContent(content: Buffer): FaultMarker[] {
  return content.includes('[[fault:') ? findFaultMarkers(content.toString('utf8')) : [];
}

/** `ms=N` of a slow marker, or the default when absent or not a number. */
export function markerMilliseconds(marker: FaultMarker, fallback = 2000): number {
  const ms = Number(marker.settings.get('ms'));
  return marker.settings.has('ms') && Number.isFinite(ms) && ms >= 0 ? ms : fallback;
}

/** A numeric setting, or undefined when absent or not a non-negative number. */
export function markerNumber(marker: FaultMarker, key: string): number | undefined {
  const value = Number(marker.settings.get(key));
  return marker.settings.has(key) && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `times=N` as a number, or undefined when the marker applies every time. */
export function markerTimes(marker: FaultMarker): number | undefined {
  const times = Number(marker.settings.get('times'));
  return marker.settings.has('times') && Number.isInteger(times) && times >= 0 ? times : undefined;
}

/** `status=N` of a line-failure marker, or undefined when the marker is of another kind. */
export function markerStatus(marker: FaultMarker): number | undefined {
  const status = Number(marker.settings.get('status'));
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

/** `fraction=F` in 0..1; the default leaves half of a batch done, so both halves of a partial outcome show. */
export function markerFraction(marker: FaultMarker): number {
  const fraction = Number(marker.settings.get('fraction'));
  return marker.settings.has('fraction') && fraction >= 0 && fraction <= 1 ? fraction : 0.5;
}
