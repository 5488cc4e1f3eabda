//! Toponym detection, disambiguation and relative locations.
//!
//! 1. Tokens of the kept text are grouped into runs of capitalised words
//!    (with lower-case connectors such as "ez", "al-", "de", "of").
//! 2. At each capitalised token the longest run whose light fold (then heavy
//!    fold, then curated alias) is a gazetteer key becomes a toponym
//!    candidate. Stop words, demonyms, people's names (a title before, or
//!    another capitalised word glued to the match that is not a place), and
//!    words seen inside a person's name elsewhere in the document are
//!    dropped.
//! 3. The document's country context comes from demonyms, country names and
//!    unambiguous places. Each candidate record is scored on feature class,
//!    population, exactness of the name match, country context, nearness to
//!    the document's other places and cue words ("province", "city of").
//! 4. Words before the name make a location relative ("10 kilometers
//!    from", "near", "the eastern countryside of") and lower its precision.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use crate::fxhash::FxSet;
use sitrep_core::place::{
    DemonymMention, FeatureClass, GeoPrecision, PlacesAndActors, RelativeLocation, Toponym,
};
use sitrep_core::{Document, Span};

use crate::actors::ActorKb;
use crate::fold;
use crate::gazetteer::{Gazetteer, Record};

/// Options for [`GeoParser::parse`].
#[derive(Debug, Clone)]
pub struct GeoparseOptions {
    /// Also find actor mentions.
    pub actors: bool,
    /// Drop resolutions scoring below this.
    pub min_score: f64,
}

impl Default for GeoparseOptions {
    fn default() -> Self {
        GeoparseOptions {
            actors: true,
            min_score: 0.0,
        }
    }
}

/// The geoparser: a gazetteer and an actor knowledge base.
pub struct GeoParser {
    pub gazetteer: Gazetteer,
    pub kb: ActorKb,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    /// First character is upper case.
    cap: bool,
    /// First token of a sentence (or segment).
    sent_start: bool,
    /// The separator before the next token is only spaces or hyphens.
    glued_next: bool,
}

/// Lower-case words never taken as a place on their own.
const STOP: &[&str] = &[
    "a",
    "about",
    "after",
    "against",
    "ago",
    "all",
    "also",
    "although",
    "among",
    "an",
    "and",
    "another",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "during",
    "each",
    "either",
    "even",
    "every",
    "few",
    "for",
    "from",
    "further",
    "furthermore",
    "had",
    "has",
    "have",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "last",
    "later",
    "many",
    "may",
    "me",
    "meanwhile",
    "more",
    "moreover",
    "most",
    "much",
    "my",
    "neither",
    "new",
    "next",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "per",
    "since",
    "so",
    "some",
    "still",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "today",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yesterday",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "president",
    "minister",
    "general",
    "gen",
    "king",
    "queen",
    "prince",
    "princess",
    "lord",
    "lady",
    "saint",
    "st",
    "pope",
    "god",
    "allah",
    "army",
    "police",
    "state",
    "states",
    "government",
    "city",
    "town",
    "village",
    "province",
    "governorate",
    "region",
    "district",
    "county",
    "university",
    "college",
    "school",
    "street",
    "road",
    "avenue",
    "news",
    "media",
    "times",
    "post",
    "press",
    "network",
    "group",
    "front",
    "party",
    "council",
    "union",
    "centre",
    "center",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "middle",
    "upper",
    "lower",
    "great",
    "little",
    "big",
    "old",
    "good",
    "best",
    "well",
    "free",
    "national",
    "international",
    "democratic",
    "republic",
    "islamic",
    "islam",
    "muslim",
    "christian",
    "jewish",
    "arab",
    "kurdish",
    "sunni",
    "shia",
    "shiite",
    "military",
    "forces",
    "force",
    "security",
    "defense",
    "defence",
    "human",
    "rights",
    "observatory",
    "coalition",
    "agency",
    "office",
    "ministry",
    "department",
    "house",
    "senate",
    "congress",
    "court",
    "church",
    "mosque",
    "hospital",
    "airport",
    "station",
    "park",
    "bridge",
    "port",
    "river",
    "lake",
    "sea",
    "ocean",
    "mount",
    "valley",
    "desert",
    "island",
    "islands",
    "bay",
    "gulf",
    "border",
    "camp",
    "base",
    "report",
    "reports",
    "source",
    "sources",
    "spokesman",
    "spokesperson",
    "official",
    "officials",
    "commander",
    "leader",
    "chief",
    "head",
    "director",
    "secretary",
    "governor",
    "mayor",
    "judge",
    "senator",
    "sen",
    "rep",
    "col",
    "colonel",
    "lt",
    "captain",
    "capt",
    "sgt",
    "maj",
    "major",
    "admiral",
    "marshal",
    "sheikh",
    "imam",
    "emir",
    "sultan",
    "said",
    "says",
    "told",
    "according",
    "reuters",
    "afp",
    "ap",
    "bbc",
    "cnn",
    "twitter",
    "facebook",
    "youtube",
    "google",
    "apple",
    "amazon",
    "microsoft",
    "comments",
    "reply",
    "related",
    "articles",
    "tags",
    "share",
    "click",
    "read",
    "more",
    "video",
    "photo",
    "image",
    "copyright",
    "rights",
    "reserved",
    "back",
    "top",
    "home",
    "page",
    "contact",
    "privacy",
    "terms",
    "email",
    "mail",
    "subscribe",
    "follow",
    "like",
    "love",
    "hope",
    "faith",
    "grace",
    "joy",
    "liberty",
    "victory",
    "unity",
    "independence",
    "peace",
    "war",
    "battle",
    "operation",
    "day",
    "week",
    "month",
    "year",
    "time",
    "world",
    "earth",
    "sun",
    "moon",
    "star",
    "mary",
    "john",
    "james",
    "david",
    "paul",
    "peter",
    "george",
    "michael",
    "william",
    "robert",
    "charles",
    "thomas",
    "joseph",
    "daniel",
    "mark",
    "anna",
    "maria",
    "elizabeth",
    "victoria",
    "lincoln",
    "jackson",
    "franklin",
    "madison",
    "clinton",
    "trump",
    "obama",
    "bush",
    "biden",
    "putin",
    "assad",
    "erdogan",
    "abdel",
    "abdul",
    "abu",
    "bin",
    "ibn",
    "rami",
    "ali",
    "omar",
    "hassan",
    "hussein",
    "mohammed",
    "muhammad",
    "ahmed",
    "ahmad",
    "mustafa",
    "khalid",
    "said",
    "salem",
    "salam",
    "karim",
    "nasser",
    "rahman",
    "majid",
    "english",
    "french",
    "german",
    "spanish",
    "italian",
    "russian",
    "chinese",
    "japanese",
    "american",
    "british",
    "european",
    "african",
    "asian",
    "western",
    "she",
    "him",
    "atlantic",
    "pacific",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
];

/// Common given names: next to another capitalised word they make a
/// person's name even when they are also the name of a place.
const FIRST_NAMES: &[&str] = &[
    "aaron",
    "adam",
    "alan",
    "albert",
    "alex",
    "alexander",
    "alice",
    "allen",
    "amanda",
    "amy",
    "andrew",
    "angela",
    "ann",
    "anne",
    "anthony",
    "arthur",
    "ashley",
    "barbara",
    "barry",
    "ben",
    "benjamin",
    "betty",
    "bill",
    "billy",
    "bob",
    "bobby",
    "brad",
    "brandon",
    "brian",
    "bruce",
    "bryan",
    "carl",
    "carol",
    "caroline",
    "catherine",
    "chris",
    "christian",
    "christina",
    "christine",
    "christopher",
    "claire",
    "claude",
    "craig",
    "dan",
    "dave",
    "dean",
    "deborah",
    "dennis",
    "diana",
    "donald",
    "donna",
    "doug",
    "douglas",
    "ed",
    "eddie",
    "edward",
    "elena",
    "elizabeth",
    "ellen",
    "emily",
    "emma",
    "eric",
    "eugene",
    "frank",
    "fred",
    "gary",
    "gerald",
    "gordon",
    "grace",
    "greg",
    "gregory",
    "harold",
    "harry",
    "heather",
    "helen",
    "henry",
    "howard",
    "ian",
    "jack",
    "jacob",
    "jake",
    "jane",
    "janet",
    "jason",
    "jean",
    "jeff",
    "jeffrey",
    "jennifer",
    "jeremy",
    "jerry",
    "jessica",
    "jim",
    "jimmy",
    "joan",
    "joe",
    "johnny",
    "jon",
    "jonathan",
    "jose",
    "josh",
    "joshua",
    "joyce",
    "juan",
    "judy",
    "julia",
    "julie",
    "justin",
    "karen",
    "kate",
    "katherine",
    "keith",
    "kelly",
    "ken",
    "kenneth",
    "kevin",
    "kim",
    "kyle",
    "larry",
    "laura",
    "lauren",
    "lee",
    "leo",
    "linda",
    "lisa",
    "louis",
    "louise",
    "lucy",
    "luis",
    "margaret",
    "maria",
    "marie",
    "mario",
    "martin",
    "matt",
    "matthew",
    "megan",
    "melissa",
    "michelle",
    "mike",
    "nancy",
    "natalie",
    "nathan",
    "neil",
    "nicholas",
    "nick",
    "nicole",
    "olivia",
    "oscar",
    "pamela",
    "patricia",
    "patrick",
    "paula",
    "philip",
    "phil",
    "rachel",
    "ralph",
    "randy",
    "ray",
    "raymond",
    "rebecca",
    "richard",
    "rick",
    "rob",
    "roger",
    "ron",
    "ronald",
    "rose",
    "roy",
    "russell",
    "ruth",
    "ryan",
    "sam",
    "samuel",
    "sandra",
    "sara",
    "sarah",
    "scott",
    "sean",
    "sharon",
    "shawn",
    "sheryl",
    "simon",
    "sophie",
    "stephanie",
    "stephen",
    "steve",
    "steven",
    "susan",
    "terry",
    "tim",
    "timothy",
    "tina",
    "todd",
    "tom",
    "tommy",
    "tony",
    "tyler",
    "vincent",
    "virginia",
    "walter",
    "wayne",
    "william",
    "willie",
    "conor",
    "connor",
    "liam",
    "noah",
    "ethan",
    "mason",
    "logan",
    "lucas",
    "oliver",
    "charlotte",
    "sophia",
    "isabella",
    "mia",
    "ava",
    "abigail",
    "madison",
    "chloe",
    "ella",
    "hannah",
    "vladimir",
    "sergei",
    "dmitry",
    "ivan",
    "igor",
    "olga",
    "pierre",
    "jacques",
    "francois",
    "hans",
    "klaus",
    "carlos",
    "miguel",
    "pedro",
    "antonio",
    "giuseppe",
    "marco",
    "ahmet",
    "mehmet",
    "yusuf",
    "ibrahim",
    "abdullah",
    "khaled",
    "walid",
    "samir",
    "tariq",
    "hamza",
];

/// Words after a name that make it a speaker, not a place ("X said").
const SPEECH_AFTER: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "wrote",
    "explained",
    "noted",
    "argued",
    "asked",
    "stated",
    "replied",
    "tweeted",
    "insisted",
    "recalled",
    "admitted",
    "announced",
];

/// Articles that are also English words ("as", "at", "an"): an article only
/// when hyphenated to the name ("as-Suwayda").
const WORDLIKE_ARTICLES: &[&str] = &[
    "ad", "as", "an", "at", "ed", "er", "es", "et", "us", "il", "ul", "ud", "ur",
];

/// Phrases that name institutions or phenomena, not the places GeoNames
/// gives them as alternate names (light folds).
const NOT_PLACES: &[&str] = &[
    "white house",
    "el nino",
    "la nina",
    "pentagon",
    "kremlin",
    "capitol hill",
    "downing street",
    "wall street",
];

/// Abbreviations of countries and capitals, by their letters.
const ABBREVIATIONS: &[(&str, u32)] = &[
    ("us", 6252001),
    ("usa", 6252001),
    ("uk", 2635167),
    ("uae", 290557),
    ("drc", 203312),
    ("dc", 4140963),
];

/// Stop words that are first names: next to another capitalised word they
/// make a person's name.
const NAMEISH: &[&str] = &[
    "mary",
    "john",
    "james",
    "david",
    "paul",
    "peter",
    "george",
    "michael",
    "william",
    "robert",
    "charles",
    "thomas",
    "joseph",
    "daniel",
    "mark",
    "anna",
    "maria",
    "elizabeth",
    "victoria",
    "jordan",
    "chad",
    "georgia",
    "abdel",
    "abdul",
    "abu",
    "rami",
    "ali",
    "omar",
    "hassan",
    "hussein",
    "mohammed",
    "muhammad",
    "ahmed",
    "ahmad",
    "mustafa",
    "khalid",
    "salem",
    "karim",
    "nasser",
    "majid",
    "trump",
    "obama",
    "bush",
    "biden",
    "putin",
    "assad",
    "erdogan",
    "clinton",
];

/// Titles before a person's name.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "sir",
    "dame",
    "president",
    "minister",
    "gen",
    "general",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "sen",
    "senator",
    "rep",
    "representative",
    "gov",
    "governor",
    "mayor",
    "judge",
    "justice",
    "sheikh",
    "shaikh",
    "imam",
    "emir",
    "sultan",
    "col",
    "colonel",
    "lt",
    "lieutenant",
    "capt",
    "captain",
    "sgt",
    "sergeant",
    "maj",
    "major",
    "cmdr",
    "commander",
    "adm",
    "admiral",
    "brig",
    "brigadier",
    "prof",
    "professor",
    "rev",
    "reverend",
    "father",
    "bishop",
    "ayatollah",
    "mullah",
    "chancellor",
    "secretary",
    "ambassador",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "coach",
    "officer",
    "chairman",
    "ceo",
    "founder",
    "mp",
    "lord",
    "lady",
    "saint",
    "st",
    "uncle",
    "aunt",
    "brother",
    "sister",
    "son",
    "daughter",
    "wife",
    "husband",
    "dear",
];

/// Lower-case words that may sit inside a multi-word place name.
const CONNECTORS: &[&str] = &[
    "al", "el", "ad", "ar", "as", "an", "at", "az", "ash", "ath", "ed", "er", "es", "et", "ez",
    "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le", "les", "los",
    "of", "on", "upon", "am", "im", "der", "den", "sur", "en", "y", "and", "the", "bin", "bani",
    "bou", "abu", "ibn", "ul",
];

/// Words after a name that make it an institution, not a place.
const INSTITUTION_AFTER: &[&str] = &[
    "university",
    "college",
    "times",
    "post",
    "news",
    "herald",
    "tribune",
    "journal",
    "gazette",
    "observer",
    "press",
    "council",
    "police",
    "fc",
    "united",
    "city",
    "airport",
    "airlines",
    "airways",
    "bank",
    "company",
    "corporation",
    "group",
    "club",
    "hospital",
    "school",
    "institute",
    "foundation",
    "museum",
    "stadium",
    "street",
    "road",
    "avenue",
    "boulevard",
    "square",
    "bridge",
    "station",
    "park",
    "hotel",
    "centre",
    "center",
    "church",
    "mosque",
    "cathedral",
    "high",
    "state",
    "symphony",
    "orchestra",
    "games",
    "open",
    "marathon",
];

/// Words after a name that confirm a place; the first part names the class.
const PLACE_AFTER: &[(&str, Option<FeatureClass>)] = &[
    ("province", Some(FeatureClass::Admin1)),
    ("governorate", Some(FeatureClass::Admin1)),
    ("region", Some(FeatureClass::Admin1)),
    ("state", Some(FeatureClass::Admin1)),
    ("oblast", Some(FeatureClass::Admin1)),
    ("prefecture", Some(FeatureClass::Admin1)),
    ("district", Some(FeatureClass::Admin2)),
    ("county", Some(FeatureClass::Admin2)),
    ("countryside", Some(FeatureClass::Admin1)),
    ("city", Some(FeatureClass::City)),
    ("town", Some(FeatureClass::City)),
    ("village", Some(FeatureClass::City)),
    ("area", None),
    ("border", None),
    ("outskirts", None),
];

fn stop(word: &str) -> bool {
    STOP.contains(&word)
}

/// Arabic articles written before a name ("al-", "ez-").
const ARTICLES: &[&str] = &[
    "al", "el", "ad", "ar", "as", "an", "at", "az", "ash", "ath", "ed", "er", "es", "et", "ez",
];

fn tokenize(text: &str, seg: Span, out: &mut Vec<Token>) {
    let Some(s) = text.get(seg.start..seg.end) else {
        return;
    };
    let mut sent_start = true;
    let mut cur: Option<(usize, bool)> = None;
    let mut sep = String::new();
    let push_tok = |out: &mut Vec<Token>, start: usize, end: usize, cap: bool, ss: bool| {
        out.push(Token {
            start,
            end,
            cap,
            sent_start: ss,
            glued_next: false,
        });
    };
    for (i, ch) in s.char_indices() {
        let alnum = ch.is_alphanumeric();
        match (cur, alnum) {
            (None, true) => {
                // Fix up the previous token's glue now that we know the separator.
                if let Some(last) = out.last_mut() {
                    if last.start >= seg.start {
                        last.glued_next = !sep.is_empty()
                            && sep.len() <= 3
                            && sep.chars().all(|c| c == ' ' || c == '-' || c == '\u{a0}');
                    }
                }
                if sep.contains(['.', '!', '?', '\n', ':', ';', '"', '“', '”', '(', ')', '|']) {
                    sent_start = true;
                }
                sep.clear();
                cur = Some((seg.start + i, ch.is_uppercase()));
            }
            (Some((st, cap)), false) => {
                // Dotted abbreviations ("U.S.", "D.C.") are one token.
                if ch == '.' && dotted_prefix(&s[st - seg.start..i]) {
                    let mut rest = s[i + 1..].chars();
                    if rest.next().is_some_and(|c| c.is_ascii_uppercase())
                        && rest.next() == Some('.')
                    {
                        continue;
                    }
                    if s[st - seg.start..i].contains('.') {
                        push_tok(out, st, seg.start + i + 1, cap, sent_start);
                        sent_start = false;
                        cur = None;
                        continue;
                    }
                }
                // Apostrophe inside a word ("Dar'a") keeps the token going.
                let next = s[i + ch.len_utf8()..].chars().next();
                if (ch == '\'' || ch == '’')
                    && next.is_some_and(|c| c.is_alphabetic())
                    && !s[i + ch.len_utf8()..].starts_with("s ")
                {
                    continue;
                }
                push_tok(out, st, seg.start + i, cap, sent_start);
                sent_start = false;
                cur = None;
                sep.push(ch);
            }
            (None, false) => sep.push(ch),
            (Some(_), true) => {}
        }
    }
    if let Some((st, cap)) = cur {
        push_tok(out, st, seg.end, cap, sent_start);
    }
}

/// "U", "U.S": single upper-case ASCII letters separated by dots.
fn dotted_prefix(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() % 2 == 1
        && b.iter().enumerate().all(|(k, c)| {
            if k % 2 == 0 {
                c.is_ascii_uppercase()
            } else {
                *c == b'.'
            }
        })
}

/// The letters of an all-capital abbreviation of at most four letters
/// ("US", "U.S.", "UAE"), lower-cased.
fn abbreviation_letters(w: &str) -> Option<String> {
    let letters: String = w.chars().filter(|c| *c != '.').collect();
    (letters.len() >= 2 && letters.len() <= 4 && letters.chars().all(|c| c.is_ascii_uppercase()))
        .then(|| letters.to_ascii_lowercase())
}

struct Found {
    first: usize,
    last: usize,
    span: Span,
    cands: Vec<u32>,
    heavy: bool,
    class_hint: Option<FeatureClass>,
}

fn re(pat: &str) -> Regex {
    Regex::new(pat).unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"))
}

fn rel_before() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        re(r"(?i)(?:(?P<dist>\d+(?:[.,]\d+)?)\s*(?P<unit>km|kms|kilometers|kilometres|miles|mi)\s+(?:(?P<dir1>north|south|east|west|north-?east|north-?west|south-?east|south-?west|northeast|northwest|southeast|southwest)\s+)?(?:of|from|away from)|(?P<near>near|nearby|close to|outside|around|on the outskirts of|outskirts of|the vicinity of|vicinity of|in the vicinity of|on the edge of|edges of|the edges of|suburbs of|the suburbs of|the countryside of|countryside of|(?P<dir2>north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?\s+(?:countryside|outskirts|suburbs|edges?|parts?|side|banks?)\s+of|(?P<dir3>north|south|east|west|northeast|northwest|southeast|southwest)\s+of))\s+(?:the\s+)?(?:(?:town|city|village|province|governorate|area|region)\s+of\s+)?$")
    })
}

fn region_adj_before() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        re(r"(?i)\b(?P<dir>northern|southern|eastern|western|central|north-?eastern|north-?western|south-?eastern|south-?western|northeastern|northwestern|southeastern|southwestern|rural)\s+$")
    })
}

fn compass(s: &str) -> String {
    let s = s.to_ascii_lowercase().replace('-', "");
    let s = s.trim_end_matches("ern");
    match s {
        "north" => "n",
        "south" => "s",
        "east" => "e",
        "west" => "w",
        "northeast" => "ne",
        "northwest" => "nw",
        "southeast" => "se",
        "southwest" => "sw",
        "central" => "c",
        _ => "",
    }
    .to_string()
}

/// Kilometres per degree of latitude on the sphere [`haversine_km`] uses.
const KM_PER_DEGREE: f64 = 6371.0 * std::f64::consts::PI / 180.0;

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// Great-circle distance in km between two (lat, lon) points.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    haversine_km(a, b)
}

impl GeoParser {
    pub fn new(gazetteer: Gazetteer, kb: ActorKb) -> Self {
        GeoParser { gazetteer, kb }
    }

    /// Load the shipped gazetteer (`data/gazetteer.bin.lz4` under `data_dir`)
    /// and knowledge base.
    /// The knowledge base (its matchers) builds on a second thread while
    /// the gazetteer decompresses and indexes, so loading takes the longer
    /// of the two, not their sum.
    pub fn load(data_dir: &std::path::Path) -> Result<Self, crate::GeoError> {
        let kb_path = data_dir.join("actors.toml");
        let load_kb = || -> Result<ActorKb, crate::GeoError> {
            Ok(match std::fs::read_to_string(&kb_path) {
                Ok(t) => ActorKb::from_toml(&t)?,
                Err(_) => ActorKb::builtin()?,
            })
        };
        let (g, kb) = std::thread::scope(|scope| {
            let kb = std::thread::Builder::new()
                .name("sitrep-kb-load".into())
                .spawn_scoped(scope, load_kb);
            let g = Gazetteer::open(&data_dir.join("gazetteer.bin.lz4"));
            let kb = match kb {
                Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                // No thread to be had: build it here.
                Err(_) => load_kb(),
            };
            (g, kb)
        });
        Ok(GeoParser::new(g?, kb?))
    }

    /// Places and actors of a cleaned document (its kept segments; the whole
    /// text when it has no segments).
    pub fn parse(&self, doc: &Document, opts: &GeoparseOptions) -> PlacesAndActors {
        let spans: Vec<Span> = if doc.segments.is_empty() {
            vec![Span::new(0, doc.text.len())]
        } else {
            doc.kept_spans().collect()
        };
        self.parse_text(&doc.text, &spans, opts)
    }

    /// Places and actors in `spans` of `text`.
    pub fn parse_text(
        &self,
        text: &str,
        spans: &[Span],
        opts: &GeoparseOptions,
    ) -> PlacesAndActors {
        let mut toks = Vec::new();
        for &s in spans {
            if s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
            {
                let before = toks.len();
                tokenize(text, s, &mut toks);
                if let Some(t) = toks.get_mut(before) {
                    t.sent_start = true;
                }
                if let Some(t) = toks.last_mut() {
                    t.glued_next = false;
                }
            }
        }
        let word = |t: &Token| &text[t.start..t.end];
        // Lower-cased tokens, in one buffer.
        let mut lower_buf = String::with_capacity(spans.iter().map(|s| s.len()).sum());
        let mut lower_end = Vec::with_capacity(toks.len());
        for t in &toks {
            let w = word(t);
            if w.is_ascii() {
                lower_buf.extend(w.bytes().map(|b| b.to_ascii_lowercase() as char));
            } else {
                lower_buf.push_str(&w.to_lowercase());
            }
            lower_end.push(lower_buf.len());
        }
        let lower: Vec<&str> = lower_end
            .iter()
            .scan(0, |start, &end| {
                let w = &lower_buf[*start..end];
                *start = end;
                Some(w)
            })
            .collect();

        // Demonyms.
        let mut demonyms = Vec::new();
        let mut votes: HashMap<String, f64> = HashMap::new();
        let mut demonym_tok = vec![false; toks.len()];
        for (i, t) in toks.iter().enumerate() {
            let w = word(t);
            let two = toks
                .get(i + 1)
                .filter(|_| t.glued_next)
                .map(|n| &text[t.start..n.end]);
            let hit = two
                .and_then(|w2| self.kb.demonym_country(w2).map(|c| (c, 2)))
                .or_else(|| self.kb.demonym_country(w).map(|c| (c, 1)));
            if let Some((cc, n)) = hit {
                if w.len() == 2 && n == 1 && (w == "US" || w == "UK") {
                    // Handled as place names.
                    continue;
                }
                let end = toks[i + n - 1].end;
                demonyms.push(DemonymMention {
                    span: Span::new(t.start, end),
                    text: text[t.start..end].to_string(),
                    country_code: cc.to_string(),
                });
                *votes.entry(cc.to_string()).or_default() += 1.0;
                for d in demonym_tok.iter_mut().skip(i).take(n) {
                    *d = true;
                }
            }
        }

        // Candidate detection.
        let mut found: Vec<Found> = Vec::new();
        let mut person_words: FxSet<String> = FxSet::default();
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            let is_article = ARTICLES.contains(&lower[i])
                && t.glued_next
                && toks.get(i + 1).is_some_and(|n| {
                    n.cap
                        && (!WORDLIKE_ARTICLES.contains(&lower[i])
                            || text[t.end..n.start].contains('-'))
                })
                && !(t.cap && t.sent_start && WORDLIKE_ARTICLES.contains(&lower[i]));
            if (!t.cap && !is_article) || demonym_tok[i] {
                i += 1;
                continue;
            }
            // The run of words this name may extend over.
            let mut run_end = i;
            while run_end + 1 < toks.len()
                && toks[run_end].glued_next
                && run_end - i < 5
                && (toks[run_end + 1].cap || CONNECTORS.contains(&lower[run_end + 1]))
            {
                run_end += 1;
            }
            let mut hit: Option<Found> = None;
            if let Some(id) = abbreviation_letters(word(&t)).and_then(|l| {
                ABBREVIATIONS
                    .iter()
                    .find(|(a, _)| *a == l)
                    .and_then(|(_, id)| self.gazetteer.index_of_id(*id))
            }) {
                hit = Some(Found {
                    first: i,
                    last: i,
                    span: Span::new(t.start, t.end),
                    cands: vec![id],
                    heavy: false,
                    class_hint: None,
                });
                run_end = i;
            }
            for j in (i..=run_end).rev() {
                if hit.is_some() {
                    break;
                }
                if !toks[j].cap || demonym_tok[j] {
                    continue;
                }
                let span = Span::new(t.start, toks[j].end);
                let raw = span.slice(text);
                let l = fold::light(raw);
                if l.len() < 2 {
                    continue;
                }
                let mut cands = self.gazetteer.lookup_light(&l);
                let mut heavy = false;
                if cands.is_empty() {
                    let h = fold::heavy_from_light(&l);
                    if h.len() >= 4 {
                        cands = self.gazetteer.lookup_heavy(&h);
                        heavy = !self.gazetteer.is_alias(&h);
                    }
                }
                if !cands.is_empty() {
                    hit = Some(Found {
                        first: i,
                        last: j,
                        span,
                        cands,
                        heavy,
                        class_hint: None,
                    });
                    break;
                }
            }
            match hit {
                Some(f) => {
                    i = f.last + 1;
                    found.push(f);
                }
                None => i += 1,
            }
        }

        // Filters: stop words, people, institutions, phrases that are not
        // places.
        found.retain(|f| {
            let l = fold::light(f.span.slice(text));
            !NOT_PLACES.contains(&l.as_str())
        });
        let mut covered = vec![false; toks.len()];
        for k in found.iter().flat_map(|f| f.first..=f.last) {
            covered[k] = true;
        }
        let is_strong = |cands: &[u32]| {
            cands.iter().any(|&c| {
                self.gazetteer.record(c).is_some_and(|r| {
                    matches!(r.class, FeatureClass::Country | FeatureClass::Admin1)
                        || r.population >= 100_000
                })
            })
        };
        let mut strong_tok = vec![false; toks.len()];
        for k in found
            .iter()
            .filter(|f| is_strong(&f.cands))
            .flat_map(|f| f.first..=f.last)
        {
            strong_tok[k] = true;
        }
        let covered_strong = |k: usize| strong_tok[k];
        let mut keep = Vec::new();
        for mut f in found {
            let words: Vec<&str> = (f.first..=f.last).map(|k| lower[k]).collect();
            let single = f.first == f.last;
            if single && stop(words[0]) {
                continue;
            }
            let w0 = word(&toks[f.first]);
            let abbrev = single.then(|| abbreviation_letters(w0)).flatten();
            let known_abbrev = abbrev
                .as_deref()
                .is_some_and(|l| ABBREVIATIONS.iter().any(|(a, _)| *a == l));
            let all_caps_short = !known_abbrev
                && abbrev
                    .as_deref()
                    .is_some_and(|l| l.len() <= 3 || w0.contains('.'));
            if all_caps_short {
                // Abbreviations only when they are a country code or well-known
                // place (US, UK, UAE, DRC) - i.e. a country record.
                let ok = f.cands.iter().any(|&c| {
                    self.gazetteer
                        .record(c)
                        .is_some_and(|r| r.class == FeatureClass::Country)
                });
                if !ok {
                    continue;
                }
            }
            let prev = f.first.checked_sub(1).map(|k| (k, toks[k]));
            let next = toks.get(f.last + 1).map(|t| (f.last + 1, *t));
            // A country, region or large city named like a person stays a
            // place elsewhere in the document.
            let strong = is_strong(&f.cands);
            // Titles: "President X", "Gen. X".
            if let Some((k, _)) = prev {
                if TITLES.contains(&lower[k]) {
                    if !strong {
                        for w in &words {
                            person_words.insert((*w).to_string());
                        }
                    }
                    continue;
                }
            }
            // A speaker: "X said", "X told" (only for names that are not
            // well-known places: "residents in Taiz said").
            if let Some((k, _)) = next {
                if !strong && SPEECH_AFTER.contains(&lower[k]) {
                    for w in &words {
                        person_words.insert((*w).to_string());
                    }
                    continue;
                }
            }
            // Glued capitalised neighbours that are not themselves places,
            // or are given names.
            let neighbour_name = |k: usize, t: &Token| {
                t.cap
                    && !demonym_tok[k]
                    && (FIRST_NAMES.contains(&lower[k])
                        || (!covered[k] && (!stop(lower[k]) || NAMEISH.contains(&lower[k]))))
            };
            let mut person = false;
            let mut glued_prev = false;
            let mut glued_next = false;
            if let Some((k, pt)) = prev {
                if pt.glued_next && neighbour_name(k, &pt) {
                    person = true;
                    glued_prev = true;
                }
            }
            if let Some((k, nt)) = next {
                let w = lower[k];
                if let Some((_, hint)) = PLACE_AFTER.iter().find(|(p, _)| *p == w) {
                    f.class_hint = *hint;
                } else if toks[f.last].glued_next && INSTITUTION_AFTER.contains(&w) {
                    continue;
                } else if toks[f.last].glued_next && neighbour_name(k, &nt) {
                    person = true;
                    glued_next = true;
                }
                // "al-Baghdadi" after a name: a kunya or nasab.
                if toks[f.last].glued_next
                    && ARTICLES.contains(&w)
                    && toks.get(k + 1).is_some_and(|n| n.cap)
                {
                    person = true;
                }
            }
            if person {
                let lo = if glued_prev { f.first - 1 } else { f.first };
                let hi = if glued_next { f.last + 2 } else { f.last + 1 }.min(toks.len());
                for k in lo..hi {
                    let own = (f.first..=f.last).contains(&k);
                    if toks[k].cap && !(own && strong) && !covered_strong(k) {
                        person_words.insert(lower[k].to_string());
                    }
                }
                continue;
            }
            // Hints before: "province of X", "city of X", "countryside of X".
            if f.class_hint.is_none() && f.first >= 2 && lower[f.first - 1] == "of" {
                f.class_hint = match lower[f.first - 2] {
                    "province" | "governorate" | "region" | "state" | "countryside" => {
                        Some(FeatureClass::Admin1)
                    }
                    "city" | "town" | "village" => Some(FeatureClass::City),
                    _ => None,
                };
            }
            // A common English word ("Commerce", "Green") is a small place
            // only with a cue.
            if single
                && f.class_hint.is_none()
                && !strong
                && abbrev.is_none()
                && self.gazetteer.is_common_word(&fold::light(w0))
            {
                continue;
            }
            keep.push(f);
        }
        // Words seen inside people's names are people elsewhere too.
        keep.retain(|f| {
            let stripped: Vec<&str> = (f.first..=f.last)
                .map(|k| lower[k])
                .filter(|w| !CONNECTORS.contains(w))
                .collect();
            stripped.is_empty() || !stripped.iter().all(|w| person_words.contains(*w))
        });

        // Country context: demonyms + country names + unambiguous places.
        for f in &keep {
            let recs: Vec<Record> = f
                .cands
                .iter()
                .filter_map(|&c| self.gazetteer.record(c))
                .collect();
            if recs.iter().any(|r| r.class == FeatureClass::Country) {
                if let Some(r) = recs.iter().find(|r| r.class == FeatureClass::Country) {
                    *votes.entry(r.country_code().to_string()).or_default() += 1.0;
                }
                continue;
            }
            let ccs: HashSet<&str> = recs.iter().map(|r| r.country_code()).collect();
            let w = 1.0 / ccs.len().max(1) as f64;
            for cc in ccs {
                *votes.entry(cc.to_string()).or_default() += 0.5 * w;
            }
        }
        let total_votes: f64 = votes.values().sum::<f64>().max(1.0);
        let mut context: Vec<(String, f64)> = votes.into_iter().collect();
        context.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top_share = context.first().map(|(_, v)| v / total_votes).unwrap_or(0.0);
        let ctx_share: HashMap<&str, f64> = context
            .iter()
            .map(|(c, v)| (c.as_str(), v / total_votes))
            .collect();

        // Score candidates; two passes so places can lean on each other.
        let mut chosen: Vec<Option<(Record, f64, f64)>> = vec![None; keep.len()];
        // Every term of a candidate's score but the nearness to anchors is
        // the same in both passes: pass 0 computes them (and the filter)
        // once, pass 1 adds nearness to the kept candidates in the same order.
        let mut base: Vec<Vec<(Record, f64)>> = vec![Vec::new(); keep.len()];
        for pass in 0..2 {
            let anchors: Vec<(f64, f64, Option<u32>)> = if pass == 0 {
                Vec::new()
            } else {
                chosen
                    .iter()
                    .flatten()
                    .filter(|(r, _, conf)| *conf > 0.6 && r.class == FeatureClass::City)
                    .map(|(r, _, _)| (r.lat as f64, r.lon as f64, r.admin1))
                    .collect()
            };
            for (fi, f) in keep.iter().enumerate() {
                let mut scored: Vec<(Record, f64)> = Vec::new();
                if pass == 1 {
                    for &(r, s) in &base[fi] {
                        let mut near = 0.0f64;
                        for &(la, lo, a1) in &anchors {
                            // Great-circle distance is at least the latitude
                            // difference: skip the haversine when that alone
                            // is over 400 km (1 km margin for rounding).
                            if (la - r.lat as f64).abs() * KM_PER_DEGREE <= 401.0 {
                                let d = haversine_km((la, lo), (r.lat as f64, r.lon as f64));
                                if d < 1.0 {
                                    continue; // itself
                                }
                                if d < 150.0 {
                                    near = near.max(1.0);
                                } else if d < 400.0 {
                                    near = near.max(0.5);
                                }
                            }
                            if a1.is_some() && a1 == r.admin1 {
                                near = near.max(0.8);
                            }
                        }
                        scored.push((r, s + near));
                    }
                } else {
                    let span_light = fold::light(f.span.slice(text));
                    for &c in f.cands.iter().take(400) {
                        let mut primary_name: Option<bool> = None;
                        let Some(r) = self.gazetteer.record(c) else {
                            continue;
                        };
                        let mut s = match r.class {
                            FeatureClass::Country => 4.0,
                            FeatureClass::Admin1 => 2.2,
                            FeatureClass::Admin2 => 0.6,
                            FeatureClass::City => 0.0,
                        };
                        let code = self.gazetteer.feature_code(&r);
                        // GeoNames leaves some seats at population 0.
                        let pop = (r.population as f64).max(match code {
                            "PPLC" => 300_000.0,
                            "PPLA" => 30_000.0,
                            "PPLA2" => 5_000.0,
                            _ if r.class == FeatureClass::City => 1_000.0,
                            _ => 0.0,
                        });
                        if r.class == FeatureClass::City {
                            s += (pop + 1.0).log10() * 0.55;
                            // The seat (or a big city) inside a region of the
                            // same name is the default reading ("Menaka",
                            // "Idlib", "New York").
                            if (code.starts_with("PPLA") || pop >= 500_000.0)
                                && r.admin1.is_some_and(|a| f.cands.contains(&a))
                            {
                                s += 0.6;
                            }
                            s += match code {
                                "PPLC" => 1.2,
                                "PPLA" => 0.6,
                                "PPLA2" => 0.3,
                                _ => 0.0,
                            };
                        } else {
                            s += (pop + 1.0).log10() * 0.15;
                        }
                        if let Some(h) = f.class_hint {
                            if h == r.class {
                                s += 2.5;
                            } else if h == FeatureClass::City && r.class != FeatureClass::City {
                                s -= 1.5;
                            }
                        }
                        if r.class == FeatureClass::City && f.first == f.last {
                            // A former or alternate name of a small place ("Kelly",
                            // "She") is weak evidence.
                            let primary = *primary_name.get_or_insert_with(|| {
                                fold::light(self.gazetteer.name(&r)) == span_light
                            });
                            if !primary {
                                s -= 1.2;
                            }
                        }
                        let share = ctx_share.get(r.country_code()).copied().unwrap_or(0.0);
                        s += 3.0 * share;
                        if share == 0.0 && !context.is_empty() && r.class == FeatureClass::City {
                            s -= 0.3;
                        }
                        // A place in a country the document does not otherwise
                        // talk about needs strong evidence when one country
                        // dominates.
                        if share == 0.0 && r.class != FeatureClass::Country && r.country != *b"  " {
                            s -= 1.5 * top_share;
                        }
                        // Far from the document's countries, only an exact
                        // primary name counts ("al-Baath" is not Bath, "al-Midan"
                        // not Medan).
                        if share == 0.0
                            && top_share >= 0.3
                            && r.class != FeatureClass::Country
                            && r.country != *b"  "
                            && (f.heavy
                                || !*primary_name.get_or_insert_with(|| {
                                    fold::light(self.gazetteer.name(&r)) == span_light
                                }))
                        {
                            continue;
                        }
                        base[fi].push((r, s));
                        scored.push((r, s));
                    }
                }
                scored.sort_by(|a, b| b.1.total_cmp(&a.1));
                let Some(&(best, bs)) = scored.first() else {
                    continue;
                };
                let second = scored.get(1).map(|x| x.1).unwrap_or(f64::NEG_INFINITY);
                let margin = bs - second;
                let conf = 1.0 / (1.0 + (-(margin.min(6.0))).exp());
                chosen[fi] = Some((best, bs, conf));
            }
        }

        // Emit.
        let mut toponyms = Vec::new();
        for (f, ch) in keep.iter().zip(chosen) {
            let Some((r, raw, conf)) = ch else { continue };
            // Absolute plausibility of the best candidate.
            let single_word = f.first == f.last;
            let mut floor = if single_word { 2.6 } else { 2.0 };
            if f.heavy {
                floor += if single_word { 1.8 } else { 0.8 };
            }
            if toks[f.first].sent_start && single_word {
                floor += 0.6;
            }
            if raw < floor {
                continue;
            }
            let score = ((raw / 8.0).min(1.0) * 0.5 + conf * 0.5).clamp(0.0, 1.0);
            if score < opts.min_score {
                continue;
            }
            let (precision, relative) = self.relative(text, f, &toks, &r);
            toponyms.push(Toponym {
                span: f.span,
                text: f.span.slice(text).to_string(),
                place: Some(self.gazetteer.place_ref(&r)),
                score: (score * 1000.0).round() / 1000.0,
                precision,
                relative,
                candidates: f.cands.len() as u32,
            });
        }

        let country_context: Vec<String> = context.iter().map(|(c, _)| c.clone()).collect();
        let actors = if opts.actors {
            self.kb.find(text, spans, &country_context)
        } else {
            Vec::new()
        };
        // A place inside a known actor's name is part of that name.
        toponyms.retain(|t| {
            !actors
                .iter()
                .any(|a| a.actor_id.is_some() && a.span.contains(t.span))
        });
        PlacesAndActors {
            toponyms,
            demonyms,
            actors,
            country_context,
        }
    }

    fn relative(
        &self,
        text: &str,
        f: &Found,
        toks: &[Token],
        r: &Record,
    ) -> (GeoPrecision, Option<RelativeLocation>) {
        let base = match r.class {
            FeatureClass::Country => GeoPrecision::Country,
            FeatureClass::Admin1 | FeatureClass::Admin2 => GeoPrecision::Region,
            FeatureClass::City => GeoPrecision::Exact,
        };
        let seg_floor = toks
            .iter()
            .take(f.first + 1)
            .rev()
            .find(|t| t.sent_start)
            .map(|t| t.start)
            .unwrap_or(0);
        let mut lo = f.span.start.saturating_sub(80).max(seg_floor);
        while !text.is_char_boundary(lo) {
            lo += 1;
        }
        let before = &text[lo..f.span.start];
        // Drop an article glued to the name ("al-" in "al-Boukamal").
        if let Some(c) = rel_before().captures(before) {
            let all = c.get(0).map(|m| (m.start(), m.end())).unwrap_or((0, 0));
            let cue_span = Span::new(lo + all.0, lo + all.1);
            let dir = c
                .name("dir1")
                .or_else(|| c.name("dir2"))
                .or_else(|| c.name("dir3"))
                .map(|m| compass(m.as_str()))
                .filter(|d| !d.is_empty());
            let dist = c
                .name("dist")
                .and_then(|m| m.as_str().replace(',', ".").parse::<f64>().ok())
                .map(|d| {
                    let unit = c.name("unit").map(|u| u.as_str().to_ascii_lowercase());
                    if matches!(unit.as_deref(), Some("miles" | "mi")) {
                        d * 1.609
                    } else {
                        d
                    }
                });
            let near = c.name("near").map(|m| m.as_str().to_ascii_lowercase());
            let region_like = near.as_deref().is_some_and(|n| {
                n.contains("countryside")
                    || n.contains("parts")
                    || n.contains("banks")
                    || n.contains("side")
            });
            let precision = if region_like {
                GeoPrecision::Region
            } else if base == GeoPrecision::Exact {
                GeoPrecision::Near
            } else {
                base
            };
            return (
                precision,
                Some(RelativeLocation {
                    cue: cue_span.slice(text).trim().to_string(),
                    cue_span,
                    distance_km: dist,
                    direction: dir,
                }),
            );
        }
        if let Some(c) = region_adj_before().captures(before) {
            if let Some(m) = c.name("dir") {
                let cue_span = Span::new(lo + m.start(), lo + m.end());
                let d = compass(m.as_str());
                return (
                    GeoPrecision::Region,
                    Some(RelativeLocation {
                        cue: m.as_str().to_string(),
                        cue_span,
                        distance_km: None,
                        direction: (!d.is_empty()).then_some(d),
                    }),
                );
            }
        }
        // "the Iraq border", "X border area", "X countryside".
        if let Some(n) = toks.get(f.last + 1) {
            let w = text[n.start..n.end].to_lowercase();
            if w == "border" || w == "countryside" || w == "outskirts" {
                return (
                    if w == "countryside" {
                        GeoPrecision::Region
                    } else {
                        GeoPrecision::Near
                    },
                    Some(RelativeLocation {
                        cue: text[n.start..n.end].to_string(),
                        cue_span: Span::new(n.start, n.end),
                        distance_km: None,
                        direction: None,
                    }),
                );
            }
        }
        (base, None)
    }
}
