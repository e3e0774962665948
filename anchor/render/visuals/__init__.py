"""What a sentence shows besides the presenter: the story's pictures moving slowly
(``panzoom``), charts (``chart``), quote cards and name straps (``quote``), each drawn
as a scene layer; ``picture`` reads an image file safely, ``place`` says where they go."""
