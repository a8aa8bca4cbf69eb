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
