# Тоҷикӣ: the public numbers page (/public) and its admin section (/admin/public, which
# is shown in Russian like every logged-in page; its strings are here so that the
# catalogue is whole). Plural categories: one, other (see locales/GLOSSARY.md on what the
# Fluent crate does for Tajik). Awaiting a fluent reader's check.

public-title = Рақамҳои кушода
public-intro = Шумораи эълонҳои ҷалб, ки муҳаққиқони kuzot ҷамъ овардаанд, барои рӯзноманигорон ва ҷомеа. Танҳо рақамҳои умумӣ нишон дода мешаванд: ягон паём, рақами телефон, чат, канал ё шахс нишон дода намешавад.
public-nothing-chosen-title = Ҳоло чизе нашр нашудааст
public-nothing-chosen = Маъмур ҳанӯз манбаъҳои ин саҳифаро интихоб накардааст, бинобар ин саҳифа на ҳама чизро, балки ҳеҷ чизро нишон медиҳад.
public-no-ads = Дар манбаъҳои интихобшуда ҳанӯз эълон нест.
public-ads-count = { $n ->
    [one] { $formatted } эълон
   *[other] { $formatted } эълон
}
public-documents-count = { $n ->
    [one] аз { $formatted } паёми таҳлилшуда
   *[other] аз { $formatted } паёми таҳлилшуда
}
public-fewer-than = камтар аз { $min }
public-ads-count-fewer = камтар аз { $min } эълон
public-documents-count-fewer = аз камтар аз { $min } паёми таҳлилшуда
public-data-date = Маълумот то { $newest } (эълони навтарин); ҳисоб карда шуд: { $counted }.
public-rule-title = Рақамҳои хурд пинҳон карда мешаванд
public-rule = Ҳар рақаме, ки аз { $min } кам аст, ҳамчун «камтар аз { $min }» нишон дода мешавад ва қимати он пинҳон мешавад: дар ин саҳифа, дар файлҳои CSV ва дар расмҳо. Рақами хурд метавонад як чат, як ҷалбкунанда ё як одамро нишон диҳад. Агар сатрҳои ҷадвал ба ҷамъи дар ин ҷо нишондодашуда баробар шаванд, боз як сатр (хурдтарин) пинҳон мешавад, то рақами пинҳонро бо тарҳ ёфтан натавонанд. Мо рақамҳоро яклухт намекунем, балки пинҳон мекунем: бинобар ин ҳар рақами нишондодашуда дақиқ аст.
public-rule-short = Рақамҳои камтар аз { $min } пинҳон карда шудаанд.
public-never-shown = Ин саҳифа ҳеҷ гоҳ матни паём, рақами телефон, номи чат ё канал ва ягон маълумот дар бораи шахсро нишон намедиҳад.
public-some-withheld = Баъзе сатрҳо пинҳон карда шудаанд.
public-embed = Ҳар як расмро ҳамчун файли SVG ба саҳифаи дигар гузоштан мумкин аст; файли CSV-и он ҳамон рақамҳо, санаи маълумот ва қоидаро дорад.
public-rates = Асъорҳои дигар бо қурби { $date } ба рубл гузаронида шудаанд.
public-undated = бе сана
public-genre-unknown = муайян нашудааст
public-places-occupied = Қаламрави ишғолшудаи Украина номбар шудааст
public-places-not-occupied = Қаламрави ишғолшуда номбар нашудааст
public-pay-band = { $low }–{ $high } ₽
public-pay-band-last = { $low } ₽ ва зиёдтар
public-axis-ads = Эълонҳо
public-axis-documents = Паёмҳо
public-column-categories = Навъи пешниҳод
public-column-genres = Навъи паём
public-column-months = Моҳ
public-column-pay = Музди моҳона
public-column-promises = Ваъда
public-column-places = Ҷой
public-column-languages = Забон
public-chart-categories = Эълонҳо аз рӯи навъи пешниҳод
public-chart-categories-desc = Эълонҳои манбаъҳои интихобшуда аз рӯи навъи пешниҳод (қайди таҳлилгар, агар бошад, вагарна таҳлили худкор).
public-chart-genres = Паёмҳо аз рӯи навъ
public-chart-genres-desc = Ҳар як паёми таҳлилшудаи манбаъҳои интихобшуда аз рӯи он ки чист: эълон, хабар, шаҳодат, огоҳӣ. Дар расмҳои дигар танҳо эълонҳо ҳисоб карда мешаванд.
public-chart-months = Эълонҳо аз рӯи моҳ
public-chart-months-desc = Эълонҳо аз рӯи моҳи паём (UTC).
public-chart-pay = Музди пешниҳодшуда
public-chart-pay-desc = Эълонҳо аз рӯи баландтарин музди моҳонае, ки пешниҳод мекунанд, бо рубл (музди рӯзона ×30, соатбай ×240; пардохтҳои яккарата музд нестанд). Эълонҳое, ки музд нанавиштаанд, ҳисоб карда намешаванд.
public-chart-promises = Эълонҳо чӣ ваъда медиҳанд
public-chart-promises-desc = Эълонҳое, ки ҳар як ваъдаро медиҳанд; як эълон метавонад якчанд ваъда диҳад, бинобар ин ҷамъи онҳо ба ҳам рост намеояд.
public-chart-places = Қаламрави ишғолшуда
public-chart-places-desc = Эълонҳое, ки ҷоеро дар қаламрави ишғолшудаи Украина номбар мекунанд, ва дигарон.
public-chart-languages = Эълонҳо аз рӯи забон
public-chart-languages-desc = Эълонҳо аз рӯи забоне, ки таҳлили худкор муайян кардааст.
public-csv-newest = эълони навтарин
public-csv-counted = санаи ҳисоб
public-admin-title = Рақамҳои кушода: манбаъҳо
public-admin-intro = Манбаъҳоеро интихоб кунед, ки эълонҳояшонро саҳифаи кушода ҳисоб мекунад. Танҳо шумораҳо нашр мешаванд ва рақамҳои хурд пинҳон мешаванд; ҳеҷ гоҳ матн, рақами телефон, номи чат ё шахс нашр намешавад. Барои ҳеҷ чиз нашр накардан ягон манбаъ интихоб накунед.
public-admin-legend = Манбаъҳое, ки ба саҳифаи кушода маълумот медиҳанд
public-admin-chosen = { $n ->
    [0] Ягон манбаъ интихоб нашудааст: саҳифаи кушода ҳеҷ чиз нишон намедиҳад.
    [one] { $formatted } манбаъ интихоб шудааст.
   *[other] { $formatted } манбаъ интихоб шудаанд.
}
public-admin-no-sources = Ҳанӯз ягон манбаъ ворид карда нашудааст.
public-admin-saved = Нигоҳ дошта шуд. Саҳифаи кушода акнун манбаъҳои интихобшударо ҳисоб мекунад.
audit-action-public-sources = Манбаъҳои саҳифаи кушода интихоб шуданд
