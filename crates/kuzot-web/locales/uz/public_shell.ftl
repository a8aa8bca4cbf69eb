# Oʻzbekcha (lotin yozuvi): the shared strings the public pages show (header, footer,
# names of categories, kinds of message, promises and languages). Uzbek has catalogues
# only for the public pages; every other page is shown in Russian. Awaiting a fluent
# reader's check: see locales/GLOSSARY.md.

interface-language = Sayt tili
footer-note = mehnat migrantlarini yollash dalillari; mualliflar nomi yashirilgan
chart-table = Raqamlar
lang-ru = rus tili
lang-ky = qirgʻiz tili
lang-uz = oʻzbek tili
lang-tg = tojik tili
lang-kk = qozoq tili
lang-en = ingliz tili
category-military-contract = Harbiy shartnoma
category-pmc = Xususiy harbiy kompaniya
category-disguised-military = Yashirin harbiy ish
category-frontline-labour = Front yonidagi ish
category-occupied-reconstruction = Bosib olingan hududdagi qurilish
category-job-other = Boshqa ish
category-other = Boshqa
genre-ad = Eʼlon
genre-report = Yangilik yoki xabar
genre-testimony = Guvohlik
genre-warning = Ogohlantirish
genre-job-search = Ish qidirish
genre-chatter = Suhbat
promise-citizenship = Fuqarolik
promise-lump-sum = Bir martalik toʻlov
promise-housing = Turar joy
promise-meals = Ovqat
promise-travel = Yoʻl haqi
promise-veteran-status = Faxriy maqomi
promise-family-benefits = Oilaga imtiyozlar
promise-injury-compensation = Yaralanganda toʻlov
promise-death-compensation = Halok boʻlganda toʻlov
promise-official-employment = Rasmiy ishga olish
promise-debt-relief = Qarzlardan ozod qilish
promise-training = Oʻqitish
promise-no-experience = Tajribasiz
promise-release = Qamoqdan ozod qilish
