"""Edit stage: the shot and the visual of each sentence (a story picture, a chart, a quote
card, a name strap), chosen after translation."""
