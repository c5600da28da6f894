/** Ports of the servers listening in this thread (a synchronous client must not connect to them). */
const PORTS = new Set<number>();

/** Records that a server of this thread listens on `port` until the returned function is called. */
export function markServedHere(port: number): () => void {
  PORTS.add(port);
  return () => PORTS.delete(port);
}

/** True when `url` names a local port a server of this thread listens on. */
export function isServedHere(url: string): boolean {
  if (PORTS.size === 0) return false;
  try {
    const { hostname, port } = new URL(url);
    const isLocal = hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
    return isLocal && PORTS.has(Number(port));
  } catch {
    return false;
  }
}
