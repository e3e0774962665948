"""Graphics around the presenter: layout, studio, lower third, cards, ticker, bumpers, cover
and lettering."""
