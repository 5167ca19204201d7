/** The CRC-32 lookup table (IEEE 802.3 polynomial, reflected: 0xEDB88320). */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of `bytes` (the zlib/PNG/gzip checksum: `crc32("123456789") = 0xCBF43926`), as an
 * unsigned 32-bit integer. Detects every burst error of up to 32 bits and any truncation with
 * probability 1 − 2⁻³².
 */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
