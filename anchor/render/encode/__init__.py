"""Encoders: the fast frame pipe into ffmpeg, the moviepy reference, and what is in a media
file."""
