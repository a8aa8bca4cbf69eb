# Oʻzbekcha (lotin yozuvi): the public numbers page (/public) and its admin section
# (/admin/public, which is shown in Russian like every logged-in page; its strings are
# here so that the catalogue is whole). Uzbek plural categories (CLDR): one, other.
# Awaiting a fluent reader's check.

public-title = Ochiq raqamlar
public-intro = kuzot tadqiqotchilari toʻplagan yollash eʼlonlari soni, jurnalistlar va jamoatchilik uchun. Faqat jami raqamlar koʻrsatiladi: hech qanday xabar, telefon raqami, chat, kanal yoki shaxs koʻrsatilmaydi.
public-nothing-chosen-title = Hali hech narsa eʼlon qilinmagan
public-nothing-chosen = Administrator bu sahifa uchun manbalarni hali tanlamagan, shuning uchun sahifa hammasini emas, hech narsani koʻrsatmaydi.
public-no-ads = Tanlangan manbalarda hali eʼlon yoʻq.
public-ads-count = { $n ->
    [one] { $formatted } ta eʼlon
   *[other] { $formatted } ta eʼlon
}
public-documents-count = { $n ->
    [one] tahlil qilingan { $formatted } ta xabar ichida
   *[other] tahlil qilingan { $formatted } ta xabar ichida
}
public-fewer-than = { $min } tadan kam
public-ads-count-fewer = { $min } tadan kam eʼlon
public-documents-count-fewer = tahlil qilingan { $min } tadan kam xabar ichida
public-data-date = Maʼlumot { $newest } sanagacha (eng yangi eʼlon); hisoblangan sana: { $counted }.
public-rule-title = Kichik raqamlar yashiriladi
public-rule = { $min } dan kichik har qanday raqam “{ $min } tadan kam” deb koʻrsatiladi va qiymati yashiriladi: bu sahifada ham, CSV fayllarda ham, chizmalarda ham. Kichik raqam bitta chatni, bitta yollovchini yoki bitta odamni koʻrsatib qoʻyishi mumkin. Jadval qatorlari shu yerda koʻrsatilgan jamiga qoʻshilsa, yana bitta qator (eng kichigi) ham yashiriladi, toki yashirin raqamni ayirish bilan topib boʻlmasin. Biz yaxlitlamaymiz, yashiramiz: shuning uchun koʻrsatilgan har bir raqam aniq.
public-rule-short = { $min } dan kichik raqamlar yashirilgan.
public-never-shown = Bu sahifa hech qachon xabar matnini, telefon raqamini, chat yoki kanal nomini va biror shaxs haqidagi maʼlumotni koʻrsatmaydi.
public-some-withheld = Baʼzi qatorlar yashirilgan.
public-embed = Har bir chizmani SVG fayli sifatida boshqa sahifaga qoʻyish mumkin; uning CSV faylida oʻsha raqamlar, maʼlumot sanasi va qoida bor.
public-rates = Boshqa valyutalar { $date } kursi boʻyicha rublga oʻtkazilgan.
public-undated = sanasiz
public-genre-unknown = aniqlanmagan
public-places-occupied = Ukrainaning bosib olingan hududi tilga olingan
public-places-not-occupied = Bosib olingan hudud tilga olinmagan
public-pay-band = { $low }–{ $high } ₽
public-pay-band-last = { $low } ₽ va undan koʻp
public-axis-ads = Eʼlonlar
public-axis-documents = Xabarlar
public-column-categories = Taklif turi
public-column-genres = Xabar turi
public-column-months = Oy
public-column-pay = Oylik maosh
public-column-promises = Vaʼda
public-column-places = Joy
public-column-languages = Til
public-chart-categories = Taklif turi boʻyicha eʼlonlar
public-chart-categories-desc = Tanlangan manbalardagi eʼlonlar taklif turi boʻyicha (tahlilchi belgisi boʻlsa, oʻsha, boʻlmasa avtomatik tahlil).
public-chart-genres = Turi boʻyicha xabarlar
public-chart-genres-desc = Tanlangan manbalardagi tahlil qilingan har bir xabar, nima ekaniga qarab: eʼlon, yangilik, guvohlik, ogohlantirish. Boshqa chizmalarda faqat eʼlonlar sanaladi.
public-chart-months = Oylar boʻyicha eʼlonlar
public-chart-months-desc = Eʼlonlar xabar yozilgan oy boʻyicha (UTC).
public-chart-pay = Taklif qilingan maosh
public-chart-pay-desc = Eʼlonlar ular taklif qilgan eng yuqori oylik maosh boʻyicha, rublda (kunlik maosh ×30, soatlik ×240; bir martalik toʻlovlar maosh emas). Maosh yozilmagan eʼlonlar sanalmaydi.
public-chart-promises = Eʼlonlar nima vaʼda qiladi
public-chart-promises-desc = Har bir vaʼdani bergan eʼlonlar; bitta eʼlon bir nechta vaʼda berishi mumkin, shuning uchun ular jamlanmaydi.
public-chart-places = Bosib olingan hudud
public-chart-places-desc = Ukrainaning bosib olingan hududidagi joyni tilga olgan eʼlonlar va qolganlari.
public-chart-languages = Tillar boʻyicha eʼlonlar
public-chart-languages-desc = Eʼlonlar avtomatik tahlil aniqlagan til boʻyicha.
public-csv-newest = eng yangi eʼlon
public-csv-counted = hisoblangan sana
public-admin-title = Ochiq raqamlar: manbalar
public-admin-intro = Ochiq sahifa eʼlonlarini sanaydigan manbalarni tanlang. Faqat sonlar eʼlon qilinadi, kichik raqamlar yashiriladi; hech qachon matn, telefon raqami, chat nomi yoki shaxs chiqmaydi. Hech narsa eʼlon qilmaslik uchun hech birini tanlamang.
public-admin-legend = Ochiq sahifaga maʼlumot beradigan manbalar
public-admin-chosen = { $n ->
    [0] Hech qaysi manba tanlanmagan: ochiq sahifa hech narsa koʻrsatmaydi.
    [one] { $formatted } ta manba tanlangan.
   *[other] { $formatted } ta manba tanlangan.
}
public-admin-no-sources = Hali hech qanday manba import qilinmagan.
public-admin-saved = Saqlandi. Ochiq sahifa endi tanlangan manbalarni sanaydi.
audit-action-public-sources = Ochiq sahifa manbalari tanlandi
