/** Node addresses of the client: "host:port", "[v6]:port" or "http(s)://host[:port]". */
import { RingkvClientError } from './errors.js';

export interface NodeAddress {
  /** Origin the requests go to, e.g. "http://127.0.0.1:8001". */
  readonly base: string;
  /** How errors name the node: "host:port". */
  readonly name: string;
}

const bare = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Parses one address; throws RingkvClientError CLIENT_ERR_CONFIG when invalid. */
export function parseNodeAddress(text: unknown): NodeAddress {
  if (typeof text !== 'string') throw config(`node address must be a string, got ${typeof text}`);
  const trimmed = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return fromUrl(trimmed, text);
  const m = bare.exec(trimmed);
  if (m === null) throw config(`node address ${JSON.stringify(text)} is not "host:port" or "http://host:port"`);
  checkPort(Number(m[2]), text);
  return fromUrl(`http://${trimmed}`, text);
}

function fromUrl(text: string, original: string): NodeAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw config(`node address ${JSON.stringify(original)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw config(`node address ${JSON.stringify(original)}: only http and https`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw config(`node address ${JSON.stringify(original)} must be only scheme, host and port`);
  }
  if (url.port !== '') checkPort(Number(url.port), original);
  return { base: url.origin, name: url.port === '' ? `${url.hostname}:${url.protocol === 'https:' ? 443 : 80}` : url.host };
}

function checkPort(port: number, original: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw config(`node address ${JSON.stringify(original)}: port must be 1..65535`);
}

function config(message: string): RingkvClientError {
  return new RingkvClientError('CLIENT_ERR_CONFIG', message);
}
