# The public numbers page (/public) and its admin section (/admin/public).
public-title = Public numbers
public-intro = Counts of the recruitment ads that kuzot's researchers collected, for journalists and the public. Only totals are shown: no message, phone number, chat, channel or person.
public-nothing-chosen-title = Nothing is published yet
public-nothing-chosen = No administrator has chosen which sources feed this page, so it shows nothing rather than everything.
public-no-ads = The chosen sources hold no ads yet.
public-ads-count = { $n ->
    [one] { $formatted } ad
   *[other] { $formatted } ads
}
public-documents-count = { $n ->
    [one] among { $formatted } analysed message
   *[other] among { $formatted } analysed messages
}
public-fewer-than = fewer than { $min }
public-ads-count-fewer = fewer than { $min } ads
public-documents-count-fewer = among fewer than { $min } analysed messages
public-data-date = Data up to { $newest } (the newest ad); counted { $counted }.
public-rule-title = Small numbers are withheld
public-rule = Any number below { $min } is shown as "fewer than { $min }" and its value is withheld, on this page, in the CSV files and in the drawings: a small number could point to one chat, one recruiter or one person. Where the rows of a table add up to a total shown here, one more row (the smallest) is withheld too, so that the hidden number cannot be worked out by subtraction. We withhold rather than round, so that every number shown is exact.
public-rule-short = Numbers below { $min } are withheld.
public-never-shown = This page never shows the text of a message, a phone number, the name of a chat or channel, or anything about a person.
public-some-withheld = Some rows are withheld.
public-embed = Each chart can be embedded as its SVG file; its CSV file holds the same numbers, the date of the data and the rule.
public-rates = Other currencies converted to roubles at the rates of { $date }.
public-undated = undated
public-genre-unknown = not determined
public-places-occupied = Names occupied territory of Ukraine
public-places-not-occupied = Names no occupied territory
public-pay-band = { $low }–{ $high } ₽
public-pay-band-last = { $low } ₽ or more
public-axis-ads = Ads
public-axis-documents = Messages
public-column-categories = Kind of offer
public-column-genres = Kind of message
public-column-months = Month
public-column-pay = Pay a month
public-column-promises = Promise
public-column-places = Place
public-column-languages = Language
public-chart-categories = Ads by kind of offer
public-chart-categories-desc = Ads of the chosen sources by the kind of offer (an analyst's label where there is one, else the automatic analysis).
public-chart-genres = Messages by kind
public-chart-genres-desc = Every analysed message of the chosen sources by what it is: an ad, news, a testimony, a warning. Only ads are counted in the other charts.
public-chart-months = Ads by month
public-chart-months-desc = Ads by the month of the message (UTC).
public-chart-pay = Offered pay
public-chart-pay-desc = Ads by the highest monthly pay they offer, in roubles (pay a day ×30, an hour ×240; lump sums are not pay). Ads that state no pay are not counted.
public-chart-promises = What ads promise
public-chart-promises-desc = Ads making each promise; an ad can make several, so these do not add up.
public-chart-places = Occupied territory
public-chart-places-desc = Ads that name a place in occupied Ukrainian territory, and the others.
public-chart-languages = Ads by language
public-chart-languages-desc = Ads by the language the automatic analysis found.
public-csv-newest = newest ad
public-csv-counted = counted on
public-admin-title = Public numbers: sources
public-admin-intro = Choose the sources whose ads the public page counts. Only counts are published, with small numbers withheld; never a text, a phone number, a chat name or a person. Choose none to publish nothing.
public-admin-legend = Sources that feed the public page
public-admin-chosen = { $n ->
    [0] No source is chosen: the public page shows nothing.
    [one] { $formatted } source is chosen.
   *[other] { $formatted } sources are chosen.
}
public-admin-no-sources = No source has been imported yet.
public-admin-saved = Saved. The public page counts the chosen sources now.
audit-action-public-sources = Public page sources chosen
