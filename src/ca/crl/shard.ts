// CRL partitions (RFC 5280 §5.2.5): the shard of a certificate follows from its serial, and the
// distribution point URIs of a shard come from templates with "{shard}".

/** The shard (0 .. shards-1) of a serial: its last 16 bits modulo the shard count. */
export function shardOf(serialHex: string, shards: number): number {
  if (shards <= 1) return 0;
  return parseInt(serialHex.slice(-4) || "0", 16) % shards;
}

/** A distribution point template for one shard. */
export function shardUrl(template: string, shard: number): string {
  return template.replaceAll("{shard}", String(shard));
}

/** The CRL distribution points a certificate with this serial carries. */
export function distributionPointsFor(
  templates: readonly string[],
  serialHex: string,
  shards: number,
): string[] {
  const shard = shardOf(serialHex, shards);
  return templates.map((t) => shardUrl(t, shard));
}
