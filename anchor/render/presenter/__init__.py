"""The presenter: the photo's face, landmarks, mouth shapes and their timing, drawn frame by
frame."""
