# Review queue and model page, English.

review-title = Review queue
review-waiting = { $n ->
    [one] { $formatted } message waits for review
   *[other] { $formatted } messages wait for review
}
review-threshold = Confidence threshold for other categories: { $threshold }.
review-start = Review next
review-order = First the messages the engine put in a risk category, least confident first; then messages of other categories the engine was unsure of. A label takes a message out of the queue.
review-empty = Nothing waits for review.
review-engine-category = Engine's category
review-confidence = Confidence
review-time = Time
review-preview = Beginning of the text
review-save-next = Save label and go to the next
review-skip = Skip, go to the next
review-back = Back to the queue

model-title = Model
model-in-use = Engine and model in use
model-labels = Labelled messages
model-store = Store
model-labelled = { $n ->
    [one] { $formatted } labelled message
   *[other] { $formatted } labelled messages
}
model-analysed = analysed by this version: { $n }
model-min-labels = A model needs at least { $n } labelled messages in two or more categories.
model-too-few = Only { $n } messages are labelled.
model-one-category = All labelled messages are in one category: a model needs examples of at least two.
model-retrain = Retrain on the labels
model-retrain-intro = Trains the linear model on every labelled message, cross-validates it, and scores the engine in use on the same messages. Nothing changes until an administrator switches to the new model.
model-retrain-submit = Retrain
model-candidate = New model, waiting for a decision
model-candidate-version = Version
model-trained-by = Trained by
model-trained-on = Trained on
model-candidate-stale = The engine in use changed after this model was trained; the comparison refers to the engine in use then.
model-compare = Compared on the labelled messages
model-current-column = Engine in use
model-candidate-column = New model (cross-validated)
model-accuracy = Accuracy
model-macro-f1 = Macro-F1
model-compare-note = The engine in use is scored on every labelled message (if its model was trained on them, its figures are too good); the new linear model is scored by cross-validation, each message by a model that did not see it, and without the cue rules it is combined with in use.
model-cv-folds = Folds: { $k }.
model-per-class = Engine in use, per category
model-support = Labelled
model-precision = Precision
model-recall = Recall
model-folds = New model, per fold
model-fold = Fold
model-test-documents = Test messages
model-activate-note = Switching installs the model for new imports. Stored messages keep the version that analysed them until they are re-analysed.
model-activate = Switch to the new model
model-admin-decides = An administrator decides whether to switch to it.
model-no-candidate = There is no such new model to switch to (it was switched to, or retrained since). Look at the figures again.
model-reanalyze = Re-analyse the store
model-reanalyze-note = Runs the engine in use over every stored message and rebuilds the search index. Imports wait while it runs; on a large store it takes minutes.
model-reanalyze-submit = Re-analyse everything
label-facts-too-many = The label has { $count } facts; at most { $limit } are accepted.
label-facts-not-a-phone = “{ $value }” is not a phone number kuzot can read. Write it with its country code, such as +7 900 555 01 23.
label-facts-empty-place = A place has no name.
label-facts-place-too-long = A place name has { $chars } characters; at most { $limit } are accepted.
label-facts-bad-currency = “{ $value }” is not a currency code (three capital letters, such as RUB).
label-facts-bad-amount = An amount of money is negative, or its range is reversed.
label-facts-span-outside = A fact is marked at bytes { $start }–{ $end }, outside the message's text ({ $bytes } bytes).

## The label form's facts
facts-form-hint = One row per fact. Change what is wrong, tick "Remove" for a fact that is not in the message, and fill a blank row to add one. To mark where an amount or place is, select it in the message and press "Mark the selection"; otherwise kuzot looks for the value in the text. Unchanged facts count as confirmed.
facts-row = Fact { $n }
facts-kind = Kind
facts-kind-none = — (blank row)
facts-value = Value
facts-currency = Currency
facts-period = Paid
facts-period-none = not stated
facts-marked = Marked in the text
facts-not-marked = Not marked in the text
facts-mark = Mark the selection
facts-remove = Remove
facts-add = Add a fact
facts-json = Advanced: facts as JSON
facts-json-hint = For scripts and bulk corrections. Left empty, the rows above are used; filled in, it replaces them.
label-bad-category = “{ $value }” is not a category.
label-note-too-long = The note is too long: at most { $limit } characters.
label-facts-bad-json = The facts are not valid JSON facts ({ $detail }).
label-row-not-an-amount = Fact { $row }: “{ $value }” is not an amount. Write it in digits, such as 200000 or 180000–250000.
label-row-no-value = Fact { $row } has no value.
label-row-bad-choice = Fact { $row }: the choice is not one of the list.
label-row-too-many = Too many facts: at most { $limit } are accepted.

## Review: what the numbers mean, contradictions, spot checks
review-scores-title = What the numbers mean
review-scores-confidence = Confidence is the share of the engine's belief that went to the category it chose, from 0 to 1, divided among all seven categories: 0.64 leaves 0.36 for the six others together. It is not the chance that the decision is right (the model page shows how often decisions are right), and a confident decision can still be wrong: the two lists below look for those.
review-scores-cues = A message's page lists, under “Why the engine decided”, its cues: the words and features that moved a category's score, each with its weight. A weight of +1.20 pushes harder than one of +0.30; a negative weight speaks against that category. The category with the highest total wins.
review-contradict-title = Facts that contradict the category
review-contradict-intro = Ads the engine put in “Other” or “Other job” although their facts point to recruitment: they name a military organisation, promise a lump sum, or state pay together with the word “contract”. Only ads are listed, because a news report that names the Ministry of Defence is rightly “Other”. Each reason links to the search that finds all such ads. A label takes a message off this list.
review-contradict-empty = No unlabelled ad has facts that contradict its category.
review-why-listed = Why it is listed
review-reason-org = names { $org }
review-reason-lump-sum = promises a lump sum
review-reason-contract = pay and “{ $word }”
review-spot-title = Spot check
review-spot-sample = sample { $seed }
review-spot-intro = A random sample of confident decisions, which the queue never shows: unlabelled messages outside the risk categories with confidence { $threshold } or more. Each day brings a new sample; the same sample number always gives the same messages. Label what you check, whether the engine was right or not.
review-spot-another = Another sample
review-spot-empty = No confident decision waits for a spot check.
