/**
 * Where a link in model text really goes, judged the same way in the webview (the title shown on hover) and in the
 * host (the open confirmation): the URL as a browser parses it (so `https://docs.python.org@evil.example/` goes to
 * evil.example and `http://0x7f.1/` to 127.0.0.1), its host in punycode and in Unicode, and whether we refuse it:
 * anything but http(s)/mailto, loopback/private/link-local addresses, and mailto links that prefill a body or copies.
 */
import { toUnicode } from 'punycode.js';
import { visibleLabel } from './safeText';

export type LinkRefusal = 'invalid' | 'scheme' | 'local' | 'mailtoPrefilled';

export type LinkJudgement =
  | {
      readonly ok: true;
      /** The URL as the browser would request it. */
      readonly url: string;
      readonly scheme: 'http' | 'https' | 'mailto';
      /** The host in ASCII (punycode), or the recipient(s) of a mailto. */
      readonly host: string;
      /** The host for people: punycode, followed by its Unicode form in parentheses when they differ. */
      readonly displayHost: string;
      /** The URL had a user name or password before the host (`text@host`): a classic way to hide the real host. */
      readonly hadCredentials: boolean;
    }
  | { readonly ok: false; readonly reason: LinkRefusal; readonly url: string; readonly displayHost: string };

/** Longest link we judge at all. */
export const maxLinkLength = 8_192;

function ipv4Parts(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

function isLocalIpv4([a, b]: number[]): boolean {
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local (cloud metadata services live here)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

function isLocalIpv6(inner: string): boolean {
  const h = inner.toLowerCase();
  if (h === '::' || h === '::1') return true;
  // IPv4-mapped / -compatible / NAT64 forms, as the URL parser writes them (::ffff:7f00:1).
  const mapped = /^(?:::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (mapped) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return isLocalIpv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const first = parseInt(h.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xffc0) === 0xfec0 || // site-local (deprecated)
    (first & 0xff00) === 0xff00 // multicast
  );
}

/** True for hosts on the learner's own machine or network. `host` is a WHATWG URL hostname (already normalized). */
export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === '' || h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal') || h.endsWith('.home.arpa')) return true;
  if (h.startsWith('[') && h.endsWith(']')) return isLocalIpv6(h.slice(1, -1));
  const v4 = ipv4Parts(h);
  return v4 ? isLocalIpv4(v4) : false;
}

function unicodeHost(ascii: string): string {
  try {
    return toUnicode(ascii);
  } catch {
    return ascii;
  }
}

/** The host for people: ASCII, then the Unicode form if it differs (look-alike IDN hosts), controls made visible. */
export function displayHostOf(ascii: string): string {
  const uni = unicodeHost(ascii);
  return visibleLabel(uni !== ascii ? `${ascii} (${uni})` : ascii);
}

/** Judge a link target exactly as the page would follow it. */
export function judgeLink(href: string): LinkJudgement {
  // Browsers drop tabs/newlines and leading/trailing spaces and controls: judge what the browser would see.
  const raw = String(href).replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (raw.length === 0 || raw.length > maxLinkLength) return { ok: false, reason: 'invalid', url: '', displayHost: '' };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid', url: '', displayHost: '' };
  }
  const url = u.href;
  if (u.protocol === 'mailto:') {
    const to = decodeSafely(u.pathname);
    const display = visibleLabel(to);
    const keys = [...u.searchParams.keys()].map((k) => k.toLowerCase());
    if (keys.some((k) => k === 'body' || k === 'cc' || k === 'bcc')) return { ok: false, reason: 'mailtoPrefilled', url, displayHost: display };
    return { ok: true, url, scheme: 'mailto', host: to, displayHost: display, hadCredentials: false };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: 'scheme', url, displayHost: '' };
  const displayHost = displayHostOf(u.hostname);
  if (isLocalHost(u.hostname)) return { ok: false, reason: 'local', url, displayHost };
  return {
    ok: true,
    url,
    scheme: u.protocol === 'https:' ? 'https' : 'http',
    host: u.hostname,
    displayHost,
    hadCredentials: u.username !== '' || u.password !== '',
  };
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
