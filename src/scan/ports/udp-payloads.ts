// The datagrams tp-scan -sU sends: per port, nmap's payloads where nmap is installed
// (nmap-payloads.ts), else this embedded set for the top UDP services, written here from each
// protocol's specification (not copied from nmap's file). A port with no payload gets an empty
// datagram, as in nmap: only ICMP (or a service that answers anything) can then tell.
import { existsSync, readFileSync } from "node:fs";
import { NMAP_PAYLOADS, type PayloadEntry, parseNmapPayloads } from "./nmap-payloads.ts";

export interface PayloadSet {
  /** Payloads per port (index = port); undefined: an empty datagram. */
  byPort: Array<Uint8Array[] | undefined>;
  /** A file path or "embedded". */
  source: string;
}

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
/** A DNS name as labels (RFC 1035 3.1). */
const dnsName = (name: string) => [...name.split(".").flatMap((l) => [l.length, ...ascii(l)]), 0];
/** BER tag-length-value, short lengths only (every message here is under 128 bytes). */
const ber = (tag: number, body: number[]) => [tag, body.length, ...body];

/** SNMP GetRequest for sysDescr.0 (1.3.6.1.2.1.1.1.0), community "public" (RFC 1157, RFC 3416). */
function snmpGet(version: 0 | 1): number[] {
  const varbind = ber(0x30, [...ber(0x06, [0x2b, 6, 1, 2, 1, 1, 1, 0]), 0x05, 0x00]);
  const pdu = ber(0xa0, [...ber(0x02, u32(0x7470_6e74)), 2, 1, 0, 2, 1, 0, ...ber(0x30, varbind)]);
  return ber(0x30, [2, 1, version, ...ber(0x04, ascii("public")), ...pdu]);
}

/** IKEv1 Main Mode with one proposal, 3DES/SHA1/PSK/MODP-1024 (RFC 2408 3.1-3.6, RFC 2409). */
function ikeMainMode(): number[] {
  const attributes = [
    [1, 5], // encryption: 3DES-CBC
    [2, 2], // hash: SHA
    [3, 1], // authentication: pre-shared key
    [4, 2], // group: MODP 1024
    [11, 1], // life type: seconds
    [12, 28800], // life duration
  ].flatMap(([type, value]) => [...u16(0x8000 | (type as number)), ...u16(value as number)]);
  const transform = [0, 0, ...u16(8 + attributes.length), 1, 1, 0, 0, ...attributes];
  const proposal = [0, 0, ...u16(8 + transform.length), 1, 1, 0, 1, ...transform];
  const sa = [0, 0, ...u16(12 + proposal.length), ...u32(1), ...u32(1), ...proposal];
  const cookie = ascii("tp-scan!");
  return [
    ...cookie,
    ...new Array(8).fill(0),
    1,
    0x10,
    2,
    0,
    ...u32(0),
    ...u32(28 + sa.length),
    ...sa,
  ];
}

interface EmbeddedPayload {
  ports: number[];
  /** The protocol and the specification the bytes follow. */
  from: string;
  bytes: number[];
}

/** The embedded set, one entry per service; `from` says where each comes from. */
export const EMBEDDED_PAYLOADS: readonly EmbeddedPayload[] = [
  {
    ports: [53],
    from: "DNS query version.bind TXT CH, RD set (RFC 1035 4.1; RFC 4892 names the convention)",
    bytes: [...u16(0x7470), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...dnsName("version.bind"), 0, 16, 0, 3],
  },
  {
    ports: [69],
    from: "TFTP RRQ of a file that should not exist, mode octet (RFC 1350 5): DATA or ERROR back",
    bytes: [0, 1, ...ascii("tp-scan.txt"), 0, ...ascii("octet"), 0],
  },
  {
    ports: [111],
    from: "ONC RPC CALL to portmap (100000) v2 NULL, AUTH_NULL (RFC 5531 9, RFC 1833)",
    bytes: [...u32(0x7470_6e01), ...u32(0), ...u32(2), ...u32(100000), ...u32(2), ...u32(0)].concat(
      u32(0),
      u32(0),
      u32(0),
      u32(0),
    ),
  },
  {
    ports: [123],
    from: "NTPv4 client request, mode 3, a transmit timestamp set (RFC 5905 7.3)",
    bytes: [0xe3, 0, 6, 0xec, ...new Array(36).fill(0), ...u32(0xe9_00_00_00), ...u32(1)],
  },
  {
    ports: [137],
    from: "NetBIOS NBSTAT query for the name * (RFC 1002 4.2.17-18)",
    bytes: [
      ...u16(0x7470),
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0x20,
      ...ascii(`CK${"A".repeat(30)}`),
      0,
    ].concat([0, 0x21, 0, 1]),
  },
  {
    ports: [161],
    from: "SNMPv2c GetRequest sysDescr.0, community public (RFC 3416, RFC 1901)",
    bytes: snmpGet(1),
  },
  {
    ports: [161],
    from: "SNMPv1 GetRequest sysDescr.0, community public (RFC 1157 4.1.2)",
    bytes: snmpGet(0),
  },
  {
    ports: [500],
    from: "IKEv1 Main Mode, one ISAKMP proposal (RFC 2408 3.1-3.6, RFC 2409 5)",
    bytes: ikeMainMode(),
  },
  {
    ports: [1900],
    from: "SSDP M-SEARCH ssdp:all (UPnP Device Architecture 1.1, 1.3.2)",
    bytes: ascii(
      'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n',
    ),
  },
  {
    ports: [5353],
    from: "mDNS legacy unicast PTR query _services._dns-sd._udp.local (RFC 6762 6.7, RFC 6763 9)",
    bytes: [
      0,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      ...dnsName("_services._dns-sd._udp.local"),
      0,
      12,
    ].concat([0, 1]),
  },
  // syslog (514): no payload. RFC 5426 syslog never answers, and a message would write a line
  // in the target's logs; an empty datagram leaves only ICMP to tell closed from open|filtered.
];

/** Payloads per port from a list of entries (several per port are all sent, as nmap does). */
export function payloadsByPort(entries: readonly PayloadEntry[]): Array<Uint8Array[] | undefined> {
  const byPort: Array<Uint8Array[] | undefined> = new Array(65536);
  for (const entry of entries)
    for (const port of entry.ports) {
      const list = byPort[port] ?? [];
      list.push(entry.payload);
      byPort[port] = list;
    }
  return byPort;
}

export function embeddedPayloads(): PayloadSet {
  const entries = EMBEDDED_PAYLOADS.map((e, index) => ({
    ports: e.ports,
    payload: Uint8Array.from(e.bytes),
    sourcePort: null,
    line: index + 1,
    name: e.from,
  }));
  return { byPort: payloadsByPort(entries), source: "embedded" };
}

/** nmap's own file if it is there and parses, else the embedded set. */
export function loadPayloads(path = NMAP_PAYLOADS): PayloadSet {
  if (existsSync(path)) {
    try {
      const entries = parseNmapPayloads(readFileSync(path, "utf8"));
      if (entries.length > 0) return { byPort: payloadsByPort(entries), source: path };
    } catch {
      // unreadable or malformed: the embedded set below
    }
  }
  return embeddedPayloads();
}
