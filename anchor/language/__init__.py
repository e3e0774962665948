"""The language tools translation and speech share: script ranges and segmentation, spoken
forms, figures, names and the glossary."""
