# Тоҷикӣ: the shared strings the public pages show (header, footer, names of categories,
# kinds of message, promises and languages). Tajik has catalogues only for the public
# pages; every other page is shown in Russian. Awaiting a fluent reader's check: see
# locales/GLOSSARY.md.

interface-language = Забони сайт
footer-note = далелҳои ба ҷанг ҷалб кардани муҳоҷирони меҳнатӣ; номи муаллифон пинҳон аст
chart-table = Рақамҳо
lang-ru = забони русӣ
lang-ky = забони қирғизӣ
lang-uz = забони ӯзбекӣ
lang-tg = забони тоҷикӣ
lang-kk = забони қазоқӣ
lang-en = забони англисӣ
category-military-contract = Шартномаи ҳарбӣ
category-pmc = Ширкати ҳарбии хусусӣ
category-disguised-military = Кори ҳарбии пинҳонӣ
category-frontline-labour = Кор дар назди хатти фронт
category-occupied-reconstruction = Сохтмон дар қаламрави ишғолшуда
category-job-other = Кори дигар
category-other = Дигар
genre-ad = Эълон
genre-report = Хабар ё гузориш
genre-testimony = Шаҳодат
genre-warning = Огоҳӣ
genre-job-search = Ҷустуҷӯи кор
genre-chatter = Сӯҳбат
promise-citizenship = Шаҳрвандӣ
promise-lump-sum = Пардохти яккарата
promise-housing = Манзил
promise-meals = Хӯрок
promise-travel = Пули роҳ
promise-veteran-status = Мақоми собиқадор
promise-family-benefits = Имтиёзҳо барои оила
promise-injury-compensation = Пардохт ҳангоми захмӣ шудан
promise-death-compensation = Пардохт ҳангоми ҳалок шудан
promise-official-employment = Ба кор қабули расмӣ
promise-debt-relief = Бахшидани қарзҳо
promise-training = Омӯзиш
promise-no-experience = Бе таҷриба
promise-release = Озодӣ аз ҳабс
