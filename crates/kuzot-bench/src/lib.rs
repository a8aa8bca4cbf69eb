//! Benchmarks and the generator of large, realistic exports they run on.
//!
//! The generator writes a Telegram Desktop JSON export of any size, deterministically
//! from a seed: messages in Russian, Kyrgyz, Uzbek and English, plain and entity-array
//! texts, forwards, replies, edits, photos and service messages — the shapes the reader
//! meets in real exports — so that a figure measured on it can be reproduced with one
//! command (see BENCHMARKS.md).
//!
//! ```
//! let mut out = Vec::new();
//! kuzot_bench::write_telegram_export(&mut out, 10, 7).expect("in memory");
//! let value: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
//! assert_eq!(value["messages"].as_array().map(Vec::len), Some(10));
//! ```

use std::io::Write;

pub mod audit_append;
pub mod cases;
pub mod persons;
pub mod survey;

/// A small deterministic random number generator (SplitMix64): the corpus must be the same
/// on every machine for a seed, and no statistical quality beyond that is needed.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Message openings in the languages of migrant-worker channels; the generator combines
/// them with amounts, places and phone numbers. Written for the benchmark; fictional.
const OPENINGS: &[&str] = &[
    "Требуются охранники на объект, вахта 30/30",
    "Срочно! Набор на контрактную службу, выплаты от государства",
    "Работа в Мариуполе: отделочники, каменщики, разнорабочие",
    "Курьеры в Москве, свободный график, выплаты каждый день",
    "Мариуполго устачылар керек, айлык жакшы",
    "Москвада иш бар, склад, күнүнө төлөнөт",
    "Moskvada ish bor, qurilish, oyiga yaxshi maosh",
    "Toshkentdan Rossiyaga ishga boramiz, yo'l puli bilan",
    "Warehouse workers wanted near Moscow, accommodation provided",
    "Кто знает, где в Екатеринбурге сделать патент?",
    "Осторожно: под видом работы вербуют в зону СВО",
    "Водители категории С, рейсы по области, оформление официальное",
];

const DETAILS: &[&str] = &[
    "Жильё и обеды за счёт работодателя.",
    "Жатакана жана тамак бар.",
    "Yotoqxona va ovqat bepul.",
    "Билеты оплачиваем.",
    "Опыт не нужен, обучение на месте.",
    "Paid travel, no experience needed.",
    "Документы оформляем быстро.",
];

const CURRENCIES: &[&str] = &["руб.", "₽", "рубль", "rubl", "тг", "сом", "RUB"];
const PLACES: &[&str] = &[
    "Москва",
    "Мариуполь",
    "Белгород",
    "Екатеринбург",
    "Донецк",
    "Подмосковье",
    "Toshkent",
    "Бишкек",
];
const CHANNELS: &[&str] = &[
    "Ish bor Moskva",
    "Работа вахтой",
    "Кыргыз жумуш",
    "Вакансии СНГ",
    "Migrant jobs",
];

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Writes a single-chat Telegram Desktop JSON export of `messages` messages (about 3% of
/// them service messages, counted in `messages`).
pub fn write_telegram_export(out: &mut dyn Write, messages: u64, seed: u64) -> std::io::Result<()> {
    write_telegram_export_of_chat(out, messages, seed, DEFAULT_CHAT_ID)
}

/// The chat id of [`write_telegram_export`]'s export.
pub const DEFAULT_CHAT_ID: u64 = 1_712_345_678;

/// [`write_telegram_export`] for the chat `chat_id`: messages are identified by chat and
/// message id, so an export of another chat adds new documents to a store that holds the
/// default one (the load test's import beside a running server needs that).
pub fn write_telegram_export_of_chat(
    out: &mut dyn Write,
    messages: u64,
    seed: u64,
    chat_id: u64,
) -> std::io::Result<()> {
    let mut rng = SplitMix::new(seed);
    writeln!(
        out,
        "{{\n \"name\": \"Ish bor Moskva | Работа Москва\",\n \"type\": \"public_supergroup\",\n \"id\": {chat_id},\n \"messages\": ["
    )?;
    let start = 1_700_000_000u64;
    for i in 0..messages {
        let id = i + 1;
        let time = start + i * 37 + rng.below(30);
        let author_n = rng.below(5000);
        if i > 0 {
            writeln!(out, "  ,")?;
        }
        if rng.below(33) == 0 {
            write!(
                out,
                "  {{\n   \"id\": {id},\n   \"type\": \"service\",\n   \"date\": \"2023-11-14T22:13:20\",\n   \"date_unixtime\": \"{time}\",\n   \"actor\": \"User {author_n}\",\n   \"actor_id\": \"user{author_n}\",\n   \"action\": \"join_group_by_link\",\n   \"inviter\": \"Group\",\n   \"text\": \"\",\n   \"text_entities\": []\n  }}\n"
            )?;
            continue;
        }
        let opening = rng.pick(OPENINGS);
        let detail = rng.pick(DETAILS);
        let amount = 40 + rng.below(260);
        let currency = rng.pick(CURRENCIES);
        let place = rng.pick(PLACES);
        let phone = format!(
            "+7 9{:02} {:03} {:02} {:02}",
            rng.below(100),
            rng.below(1000),
            rng.below(100),
            rng.below(100)
        );
        let plain =
            format!("{opening}. {place}. Оплата {amount} 000 {currency} в месяц. {detail}\nТел: ");
        write!(
            out,
            "  {{\n   \"id\": {id},\n   \"type\": \"message\",\n   \"date\": \"2023-11-14T22:13:20\",\n   \"date_unixtime\": \"{time}\",\n   \"from\": \"User {author_n}\",\n   \"from_id\": \"user{author_n}\",\n"
        )?;
        if rng.below(6) == 0 {
            writeln!(
                out,
                "   \"forwarded_from\": {},",
                json_string(rng.pick::<&str>(CHANNELS))
            )?;
        }
        if rng.below(8) == 0 && id > 1 {
            writeln!(
                out,
                "   \"reply_to_message_id\": {},",
                1 + rng.below(id - 1)
            )?;
        }
        if rng.below(10) == 0 {
            writeln!(
                out,
                "   \"edited\": \"2023-11-14T22:20:00\",\n   \"edited_unixtime\": \"{}\",",
                time + 400
            )?;
        }
        if rng.below(7) == 0 {
            writeln!(
                out,
                "   \"photo\": \"photos/photo_{id}@14-11-2023_22-13-20.jpg\",\n   \"width\": 1280,\n   \"height\": 960,"
            )?;
        }
        if rng.below(2) == 0 {
            // Text as an array of plain strings and entity objects, as Telegram writes
            // formatted messages, with text_entities repeating it.
            let bold = json_string(opening);
            let rest = json_string(&plain[opening.len()..]);
            let phone_json = json_string(&phone);
            write!(
                out,
                "   \"text\": [\n    {{\n     \"type\": \"bold\",\n     \"text\": {bold}\n    }},\n    {rest},\n    {{\n     \"type\": \"phone\",\n     \"text\": {phone_json}\n    }}\n   ],\n   \"text_entities\": [\n    {{\n     \"type\": \"bold\",\n     \"text\": {bold}\n    }},\n    {{\n     \"type\": \"plain\",\n     \"text\": {rest}\n    }},\n    {{\n     \"type\": \"phone\",\n     \"text\": {phone_json}\n    }}\n   ]\n  }}\n"
            )?;
        } else {
            let text = json_string(&format!("{plain}{phone}"));
            write!(
                out,
                "   \"text\": {text},\n   \"text_entities\": [\n    {{\n     \"type\": \"plain\",\n     \"text\": {text}\n    }}\n   ]\n  }}\n"
            )?;
        }
    }
    writeln!(out, " ]\n}}")?;
    Ok(())
}

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`), if known.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Everyday chatter of migrant-worker groups, in their languages: what most messages of a
/// real channel are. Written for the benchmark; fictional.
const CHATTER: &[&str] = &[
    "Всем привет! Кто-нибудь знает, где в Москве продлить патент без очереди?",
    "Братья, подскажите, сколько сейчас стоит билет Ош — Москва на поезд?",
    "Спасибо всем, кто помог вчера с документами, дай Аллах здоровья",
    "Salom hammaga, Samarqandga avtobus qachon jo'naydi, kim biladi?",
    "Assalomu alaykum, patent uchun qancha to'lash kerak bu oy?",
    "Саламатсыздарбы, ким билет алып берет, Бишкекке жөнөйм",
    "Бүгүн аба ырайы суук, балдар жылуу кийингиле",
    "Ассалому алейкум, кӣ медонад, ба Душанбе чипта чанд пул аст?",
    "Сәлеметсіздер ме, Алматыға пойыз қашан жүреді?",
    "Does anyone know a good dentist near Kazansky station? English speaking please",
    "Кто едет в субботу в Казань? Есть одно место в машине",
    "Продаю телефон, почти новый, недорого, пишите в личку",
    "Сдаю койко-место возле метро Выхино, только для мужчин",
    "Намаз вакты: бугун бешим 12:45, асыр 15:20",
];

/// News-like text of the kind the channels repost: long, with numbers and places, and no
/// recruitment. Written for the benchmark; fictional.
const NEWS: &[&str] = &[
    "В Москве с 1 января вырастет стоимость патента для иностранных граждан. По данным \
     мэрии, ежемесячный платёж составит около 7 500 рублей, изменения затронут сотни тысяч \
     мигрантов из Узбекистана, Таджикистана и Киргизии.",
    "Правительство утвердило новые правила миграционного учёта. Работодатели обязаны \
     уведомлять МВД о заключении трудового договора в течение трёх рабочих дней, за \
     нарушение грозит штраф до 800 000 рублей.",
    "Ўзбекистон ва Россия ўртасида меҳнат мигрантларини ташкилий равишда жўнатиш бўйича \
     келишув имзоланди, дейилади вазирлик хабарида.",
    "Кыргызстандын эмгек мигранттарынын саны былтыр 5 пайызга өстү, деп билдирди \
     министрлик. Алардын көпчүлүгү Москвада жана Санкт-Петербургда иштейт.",
    "Qozog'iston hukumati chet ellik ishchilar uchun kvotani 2025 yilda qisqartirishni rejalashtirmoqda.",
    "Remittances from Russia to Central Asia fell by a fifth last year, the central bank said, \
     as the rouble weakened and fewer workers travelled north.",
    "В Екатеринбурге открылся новый многофункциональный миграционный центр. Приём ведётся \
     ежедневно с 8:00 до 20:00, запись через портал госуслуг.",
];

/// Short additions a reposting channel makes to an ad.
const REPOST_EDITS: &[&str] = &[
    "🔥🔥🔥",
    "Пишите в WhatsApp, ответим быстро!",
    "Актуально!",
    "Yozing, javob beramiz",
    "Жазгыла!",
    "Repost please",
];

/// Everything the corpus generator draws from the seed, kept while generating so that
/// later messages can repost earlier ones.
#[derive(Debug, Clone)]
pub struct MessageGenerator {
    rng: SplitMix,
    /// Recent originals (ads and news) that later messages repost.
    recent: Vec<(usize, String)>,
    produced: usize,
}

impl MessageGenerator {
    /// A generator from a seed.
    pub fn new(seed: u64) -> MessageGenerator {
        MessageGenerator {
            rng: SplitMix::new(seed),
            recent: Vec::new(),
            produced: 0,
        }
    }

    /// The next message and the index of the message it is a (lightly edited) repost of,
    /// or its own index when it is an original. Of the messages, about 45% are
    /// recruitment ads, 35% chatter and 20% news; about one in five is a repost of one of
    /// the last thousand ads or news, with a new phone number, an emoji, a line added or
    /// the text cut short, as channels repost.
    pub fn next_message(&mut self) -> (String, usize) {
        let index = self.produced;
        self.produced += 1;
        let rng = &mut self.rng;
        if !self.recent.is_empty() && rng.below(5) == 0 {
            let (origin, text) = rng.pick(&self.recent).clone();
            let edited = match rng.below(4) {
                0 => format!("{} {text}", rng.pick(REPOST_EDITS)),
                1 => format!("{text}\n{}", rng.pick(REPOST_EDITS)),
                2 => match text.rfind("+7 9") {
                    Some(at) => format!(
                        "{}+7 9{:02} {:03} {:02} {:02}",
                        text.get(..at).unwrap_or_default(),
                        rng.below(100),
                        rng.below(1000),
                        rng.below(100),
                        rng.below(100)
                    ),
                    None => format!("{text} 🙏"),
                },
                _ => {
                    // Cut the last sentence, on a char boundary.
                    let cut = text
                        .char_indices()
                        .filter(|&(_, c)| c == '.')
                        .map(|(i, _)| i + 1)
                        .find(|&i| i > text.len() * 3 / 4)
                        .unwrap_or(text.len());
                    text.get(..cut).unwrap_or(&text).to_owned()
                }
            };
            return (edited, origin);
        }
        let kind = rng.below(20);
        let text = if kind < 9 {
            let opening = rng.pick(OPENINGS);
            let detail = rng.pick(DETAILS);
            let second = rng.pick(DETAILS);
            let place = rng.pick(PLACES);
            let currency = rng.pick(CURRENCIES);
            let low = 40 + rng.below(200);
            let high = low + 10 + rng.below(60);
            format!(
                "{opening}. {place}. Оплата от {low} 000 до {high} 000 {currency} в месяц. \
                 {detail} {second}\nТел: +7 9{:02} {:03} {:02} {:02}",
                rng.below(100),
                rng.below(1000),
                rng.below(100),
                rng.below(100)
            )
        } else if kind < 16 {
            let first = rng.pick(CHATTER);
            if rng.below(3) == 0 {
                format!("{first} {}", rng.pick(CHATTER))
            } else {
                (*first).to_owned()
            }
        } else {
            format!("{} {}", rng.pick(NEWS), rng.pick(NEWS))
        };
        if !(9..16).contains(&kind) {
            if self.recent.len() >= 1000 {
                let slot = self.rng.below(1000) as usize;
                self.recent[slot] = (index, text.clone());
            } else {
                self.recent.push((index, text.clone()));
            }
        }
        (text, index)
    }
}

/// `n` messages of a realistic mixed corpus from a seed (see
/// [`MessageGenerator::next_message`]): ads, chatter and news in Russian, Kyrgyz, Uzbek,
/// Tajik, Kazakh and English, with reposts.
///
/// ```
/// let a = kuzot_bench::generate_messages(50, 3);
/// assert_eq!(a.len(), 50);
/// assert_eq!(a, kuzot_bench::generate_messages(50, 3));
/// ```
pub fn generate_messages(n: usize, seed: u64) -> Vec<String> {
    let mut generator = MessageGenerator::new(seed);
    (0..n).map(|_| generator.next_message().0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_export_reads_back_with_every_message() {
        let mut out = Vec::new();
        write_telegram_export(&mut out, 500, 1).expect("write");
        let mut sink = kuzot_ingest::CollectingSink::default();
        let report = kuzot_ingest::read_source(
            kuzot_model::SourceFormat::TelegramJson,
            &out[..],
            &kuzot_ingest::ReadOptions::default(),
            &mut sink,
        )
        .expect("valid export");
        assert_eq!(report.documents + report.service_records, 500);
        assert_eq!(report.rejected, 0);
        assert!(report.service_records > 0 && report.documents > 400);
        assert!(sink.documents.iter().any(|d| d.forwarded_from.is_some()));
        assert!(sink.documents.iter().all(|d| d.text.contains("Тел: +7 9")));
    }
}
