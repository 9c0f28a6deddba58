// Derived from go-faker/faker's word lists (MIT); see THIRD_PARTY_NOTICES.md for its copyright and license.
import { getRandomValues } from "./node-builtins.js";
import { civil, GoFloat, LOCAL, type Value, zoneOffsetAt } from "./value.js";

// Redpanda Connect's `fake()` (internal/impl/lang/bloblang.go `GetFakeValue`, go-faker v4.7.0):
// the same function names and the same shapes of output. The word lists are samples of
// go-faker's (its names, surnames and time zones run to thousands of entries), so the values
// are drawn from fewer names; every other list is go-faker's whole.

/** A list kept as text and split on first use: a string literal costs next to nothing to load. */
function words(text: string): () => readonly string[] {
  let list: string[] | undefined;
  return () => {
    list ??= text.trim().split(/\s+/);
    return list;
  };
}

const TITLES_MALE = words(`
Mr. Dr. Prof. Lord King Prince
`);
const TITLES_FEMALE = words(`
Mrs. Ms. Miss Dr. Prof. Lady Queen Princess
`);
const FIRST_NAMES_MALE = words(`
Aaron Adrien Alexandre Ambrose Antwan Aron Barry Bertha Braeden Brice Cale Cary Chauncey Clement
Colten Crawford Damon Darrion Dedrick Dereck Diego Dorian Eddie Elian Emerson Erick Ewald Flavio
Frederic Garrett Gerard Gonzalo Gunner Harvey Hilbert Ian Izaiah Jamal Jarrett Jayme Jermain Jo
Jonas Jovany Kade Keagan Kenyon Koby Lamar Leland Lindsey Loy Madyson Mark Mavis Mervin Mohammad
Murray Nestor Nolan Oren Pablo Presley Ransom Reinhold Rigoberto Rollin Russ Santa Shayne Stan
Tanner Thurman Trace Tyree Verner Warren Will Zachariah
`);
const FIRST_NAMES_FEMALE = words(`
Aaliyah Adelle Albertha Alicia Alyce Amya Anjali Ara Asia Aylin Bethel Breanne Burnice Carmela
Cathryn Chloe Clementina Cristal Daphnee Delphine Dora Effie Elisha Elvie Ericka Eudora Fay
Freeda Gina Hailie Heloise Idella Jacinthe Janessa Jena Jolie Justina Karianne Kathryne Kelly
Kristy Laurie Lempi Libbie Litzy Lucienne Mabelle Magali Margaret Marie Martina Maybelle
Meredith Mollie Nakia Nicole Ocie Ozella Phoebe Raina Rhoda Rosetta Sadye Selina Shea Stella
Tania Tiana Valentina Veronica Vivien Yazmin Zula
`);
const LAST_NAMES = words(`
Abbott Ankunding Balistreri Batz Bechtelar Bergnaum Blick Borer Brakus Buckridge Champlin
Connelly Cremin Cummerata Daugherty Dicki Doyle Emard Farrell Fisher Funk Gleason Gottlieb
Greenfelder Gutmann Halvorson Harber Heaney Hermann Hilll Hoeger Huel Jakubowski Johnson Keeling
Kihn Klocko Koss Kshlerin Kunde Lakin Leannon Lemke Little Lynch Marquardt McDermott Metz
Monahan Mueller Nicolas O'Connell Olson Pacocha Pfannerstill Price Rath Reilly Rippin Rohan
Ruecker Ryan Schaefer Schmidt Schulist Shanahan Smitham Stark Stracke Terry Towne Turcotte
Volkman Walter Weimann Wilderman Wintheiser Wolff Zboncak
`);
const CHINESE_FIRST_NAMES = words(`
赵 吴 褚 杨 何 曹 陶 喻 云 范 昌 方 酆 廉 倪 毕 乐 卞 元 黄 姚 毛 明 戴 熊 祝 蓝 强 江 盛 邱 田 虞 管 裘 宗 郁 诸 钮 滑 荀 麴 储 松 乌 隗 宓 仰
宁 钭 符 龙 郜 宿 从 赖 池 能 党 逄 冉 璩 寿 冀 温 瞿 茹 容 戈 居 满 寇 殴 越 厍 融 那 毋 须 相 游 益 欧阳 司马 上官 夏侯 诸葛
`);
const CHINESE_LAST_NAMES = words(`
澄邈 海荣 瀚文 涵衍 浩初 浩邈 鸿宝 鸿畅 鸿飞 鸿晖 鸿煊 鸿哲 嘉澍 鹏池 瑞渊 辰宇 辰锟 辰沛 晨潍 起运 运浩 运锋 运珧 维运 耘豪 星泽 震博 振博 振海 昂雄 昌盛 昌燎
德昌 高旻 昊苍 昊明 昊东 金鹏 景天 昆锐 昆谊 昆杰 依秋 涵易 安寒 怜雪 凌旋 千凡 平卉 谷梦 佳蕊 若芹 雅昕 依丝 笑槐 佳音 寒安 映安 梦秋 元容 翠安 白风 夜南 冰真
小蕊 盼菡 惜蕊 易蓉 晴钰 沛凝 涵雁 雁蓉 飞双 雨梅 迎梅 碧萱 怀薇 书文 绮烟 从语 依琴
`);
const TIMEZONES = words(`
Australia/Adelaide America/Rio_Branco Australia/NSW America/Anchorage America/Campo_Grande
Asia/Aqtobe America/Argentina/Rio_Gallegos America/Cordoba America/Blanc-Sablon America/Halifax
America/Puerto_Rico America/Tortola Atlantic/Bermuda Asia/Dhaka America/Recife Africa/Bujumbura
Africa/Algiers Europe/Belgrade Europe/Ljubljana Europe/Prague Europe/Vatican Asia/Choibalsan
America/Bogota America/Indiana/Knox America/Monterrey America/Swift_Current Asia/Shanghai ROC
Antarctica/DumontDUrville Africa/Kampala Africa/Cairo Asia/Nicosia Europe/Kaliningrad
Europe/Uzhgorod America/Cayman America/Indiana/Vincennes America/Montreal America/Toronto
Pacific/Fiji Pacific/Tarawa Africa/Freetown Atlantic/Reykjavik Europe/Belfast GMT Etc/GMT+11
Etc/GMT+8 Etc/GMT-2 Asia/Dubai America/Atka Asia/Phnom_Penh Asia/Calcutta Asia/Bishkek
Australia/Lord_Howe Pacific/Majuro America/Boise America/Hermosillo MST Asia/Kuala_Lumpur
America/St_Johns Asia/Oral Pacific/Pohnpei America/Vancouver Pacific/Palau Africa/Maseru
Pacific/Midway Pacific/Fakaofo Asia/Ulaanbaatar Zulu Pacific/Efate Africa/Libreville
Atlantic/Canary America/Godthab Asia/Urumqi
`);
const WORDS = words(`
alias consequatur aut perferendis sit voluptatem accusantium doloremque aperiam eaque ipsa quae
ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo aspernatur aut
odit aut fugit sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt
neque dolorem ipsum quia dolor sit amet consectetur adipisci velit sed quia non numquam eius
modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem ut enim ad minima
veniam quis nostrum exercitationem ullam corporis nemo enim ipsam voluptatem quia voluptas sit
suscipit laboriosam nisi ut aliquid ex ea commodi consequatur quis autem vel eum iure
reprehenderit qui in ea voluptate velit esse quam nihil molestiae et iusto odio dignissimos
ducimus qui blanditiis praesentium laudantium totam rem voluptatum deleniti atque corrupti quos
dolores et quas molestias excepturi sint occaecati cupiditate non provident sed ut perspiciatis
unde omnis iste natus error similique sunt in culpa qui officia deserunt mollitia animi id est
laborum et dolorum fuga et harum quidem rerum facilis est et expedita distinctio nam libero
tempore cum soluta nobis est eligendi optio cumque nihil impedit quo porro quisquam est qui
minus id quod maxime placeat facere possimus omnis voluptas assumenda est omnis dolor
repellendus temporibus autem quibusdam et aut consequatur vel illum qui dolorem eum fugiat quo
voluptas nulla pariatur at vero eos et accusamus officiis debitis aut rerum necessitatibus saepe
eveniet ut et voluptates repudiandae sint et molestiae non recusandae itaque earum rerum hic
tenetur a sapiente delectus ut aut reiciendis voluptatibus maiores doloribus asperiores repellat
`);
const CURRENCIES = words(`
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
TWD TZS UAH UGX USD USN UYI UYU UYW UZS VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF
XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWL
`);

const TLDS = ["com", "biz", "info", "net", "org", "ru", "edu", "top"];
const URL_FORMATS = [
  "http://www.%s/",
  "https://www.%s/",
  "http://%s/",
  "https://%s/",
  "http://www.%s/%s",
  "https://www.%s/%s",
  "http://%s/%s",
  "https://%s/%s",
  "http://%s/%s.html",
  "https://%s/%s.html",
  "http://%s/%s.php",
  "https://%s/%s.php",
  "http://%s/%s.jpg",
  "https://%s/%s.jpg",
  "http://%s/%s.webp",
  "https://%s/%s.webp",
  "http://%s/%s.js",
  "https://%s/%s.js",
  "http://%s/%s.css",
  "https://%s/%s.css",
  "http://%s/%s.svg",
  "https://%s/%s.svg",
];
const CENTURIES = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX XXI".split(" ");
const GENDERS = ["Male", "Female", "Prefer to skip"];
const MONTHS = "January February March April May June July August September October November December".split(
  " ",
);
const DAYS = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split(" ");
const CARDS: readonly { type: string; length: number; prefixes: readonly number[] }[] = [
  { type: "VISA", length: 16, prefixes: [4539, 4556, 4916, 4532, 4929, 40240071, 4485, 4716, 4] },
  { type: "MasterCard", length: 16, prefixes: [51, 52, 53, 54, 55] },
  { type: "American Express", length: 15, prefixes: [34, 37] },
  { type: "Discover", length: 16, prefixes: [6011] },
  { type: "JCB", length: 16, prefixes: [3528, 3538, 3548, 3558, 3568, 3578, 3588] },
  { type: "Diners Club", length: 14, prefixes: [36, 38, 39] },
];

/** `rand.Intn(n)`. */
const intn = (n: number): number => Math.floor(Math.random() * n);
const pick = <T>(xs: readonly T[]): T => xs[intn(xs.length)] as T;

/** `rand.Perm(n)` shifted to start at `from`. */
function perm(from: number, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i + from);
  for (let i = n - 1; i > 0; i--) {
    const j = intn(i + 1);
    [p[i], p[j]] = [p[j] as number, p[i] as number];
  }
  return p;
}

/** `randomString` with go-faker's default language: runes from 'A' to 'y', none of `[\]^_\``. */
function randomString(n: number): string {
  let out = "";
  while (out.length < n) {
    const c = 65 + intn(122 - 65);
    if (c < 91 || c > 96) out += String.fromCharCode(c);
  }
  return out;
}

const digits = (n: number): string => Array.from({ length: n }, () => intn(10)).join("");

const hex2 = (b: number): string => b.toString(16).padStart(2, "0");

function randomBytes(n: number): number[] {
  return Array.from({ length: n }, () => intn(256));
}

/** `net.IP.String()` of 16 bytes: RFC 5952 (`::` for the longest zero run), or dotted IPv4-mapped. */
function ipv6(b: readonly number[]): string {
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12).join(".");
  const groups = Array.from({ length: 8 }, (_, i) =>
    (((b[2 * i] as number) << 8) | (b[2 * i + 1] as number)).toString(16),
  );
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (bestLen < 2) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** A random instant before now, in the process's zone (`time.Unix(rand.Int63n(now), 0)`). */
function randomTime() {
  const ns = BigInt(intn(Math.floor(Date.now() / 1000))) * 1_000_000_000n;
  return civil(ns, zoneOffsetAt(LOCAL, ns));
}

const pad2 = (n: number): string => String(n).padStart(2, "0");
const date = (): string => {
  const t = randomTime();
  return `${String(t.year).padStart(4, "0")}-${pad2(t.month)}-${pad2(t.day)}`;
};
const clock = (): string => {
  const t = randomTime();
  return `${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
};

/** `(rand.Float32() * scale) - offset` in float32, as go-faker computes coordinates. */
function coordinate(scale: number, offset: number): GoFloat {
  // rand.Float32: a float64 in [0, 1) rounded to float32, drawn again if that rounds to 1.
  let f = Math.fround(Math.random());
  while (f === 1) f = Math.fround(Math.random());
  return new GoFloat(Math.fround(Math.fround(f * scale) - offset));
}

function uuidBytes(): Uint8Array {
  const b = new Uint8Array(16);
  getRandomValues(b);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return b;
}

// go-faker makes two choices once per process: the card type (its `cacheCreditCard`: after the
// first call every card is of that type) and whether `name` gives female or male names.
let cardType: (typeof CARDS)[number] | undefined;
let femaleNames: boolean | undefined;

const card = () => {
  cardType ??= pick(CARDS);
  return cardType;
};

function sentence(): string {
  const list = WORDS();
  return `${perm(0, list.length)
    .slice(0, 6)
    .map((i, k) => {
      const w = list[i] as string;
      return k === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w;
    })
    .join(" ")}.`;
}

function domainName(): string {
  return `${randomString(7).toLowerCase()}.${pick(TLDS)}`;
}

function amount(): number {
  const div = 10 ** (intn(2) + 1);
  return Math.trunc(Math.random() * 10 ** intn(8) * div) / div;
}

const GENERATORS: Readonly<Record<string, () => Value>> = {
  latitude: () => coordinate(180, 90),
  longitude: () => coordinate(360, 180),
  unix_time: () => BigInt(intn(Math.floor(Date.now() / 1000))),
  date,
  time_string: clock,
  month_name: () => MONTHS[randomTime().month - 1] as string,
  year_string: () => String(randomTime().year).padStart(4, "0"),
  day_of_week: () => DAYS[randomTime().weekday] as string,
  day_of_month: () => String(randomTime().day).padStart(2, " "),
  timestamp: () => `${date()} ${clock()}`,
  century: () => pick(CENTURIES),
  timezone: () => pick(TIMEZONES()),
  time_period: () => (randomTime().hour >= 12 ? "PM" : "AM"),
  email: () => `${randomString(7)}@${randomString(7)}.${pick(TLDS)}`,
  mac_address: () => randomBytes(6).map(hex2).join(":"),
  domain_name: domainName,
  url: () => {
    const format = pick(URL_FORMATS);
    const domain = domainName();
    const out = format.replace("%s", domain);
    return out.includes("%s") ? out.replace("%s", randomString(7)) : out;
  },
  username: () => randomString(7),
  ipv4: () => randomBytes(4).join("."),
  ipv6: () => ipv6(randomBytes(16)),
  password: () => randomString(50),
  jwt: () => {
    const s = randomString(40);
    return `${s}.${s}.${s}`;
  },
  word: () => pick(WORDS()),
  sentence,
  paragraph: () => Array.from({ length: intn(10) + 1 }, sentence).join(" "),
  cc_type: () => card().type,
  cc_number: () => {
    const c = card();
    const prefix = String(pick(c.prefixes));
    return prefix + digits(c.length - prefix.length);
  },
  currency: () => pick(CURRENCIES()),
  amount_with_currency: () => {
    // Sprintf("%s %f", currency, amount): the amount is drawn first.
    const a = amount();
    return `${pick(CURRENCIES())} ${a.toFixed(6)}`;
  },
  title_male: () => pick(TITLES_MALE()),
  title_female: () => pick(TITLES_FEMALE()),
  first_name: () =>
    intn(FIRST_NAMES_MALE().length + FIRST_NAMES_FEMALE().length) < FIRST_NAMES_MALE().length
      ? pick(FIRST_NAMES_MALE())
      : pick(FIRST_NAMES_FEMALE()),
  first_name_male: () => pick(FIRST_NAMES_MALE()),
  first_name_female: () => pick(FIRST_NAMES_FEMALE()),
  last_name: () => pick(LAST_NAMES()),
  name: () => {
    femaleNames ??= intn(100) > 50;
    return femaleNames
      ? `${pick(TITLES_FEMALE())} ${pick(FIRST_NAMES_FEMALE())} ${pick(LAST_NAMES())}`
      : `${pick(TITLES_MALE())} ${pick(FIRST_NAMES_MALE())} ${pick(LAST_NAMES())}`;
  },
  gender: () => pick(GENDERS),
  chinese_first_name: () => pick(CHINESE_FIRST_NAMES()),
  chinese_last_name: () => pick(CHINESE_LAST_NAMES()),
  chinese_name: () => pick(CHINESE_FIRST_NAMES()) + pick(CHINESE_LAST_NAMES()),
  phone_number: () => {
    const s = perm(1, 10).join("");
    return `${s.slice(0, 3)}-${s.slice(3, 6)}-${s.slice(6, 10)}`;
  },
  toll_free_phone_number: () => {
    const s = perm(1, 9).join("");
    return `(${pick(["777", "888"])}) ${s.slice(0, 3)}-${s.slice(3)}`;
  },
  e164_phone_number: () => `+${pick(["7", "8"])}${perm(1, 10).join("")}`,
  uuid_hyphenated: () => {
    const h = Array.from(uuidBytes(), hex2).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
  uuid_digit: () => Array.from(uuidBytes(), hex2).join(""),
  "": () => randomString(25),
};

/** The names `fake()` accepts (lower case; the reference matches them case-insensitively). */
export const FAKE_FUNCTIONS: readonly string[] = Object.keys(GENERATORS).filter((k) => k !== "");

/**
 * A generator for `fake(name)`, or `undefined` for a name the reference does not know (the
 * reference fails on evaluation with `invalid faker function: <name>`).
 */
export function fakeGenerator(name: string): (() => Value) | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(GENERATORS, key) ? GENERATORS[key] : undefined;
}
