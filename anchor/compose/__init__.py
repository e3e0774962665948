"""Compose stage: everything a renderer needs for one clip, as one RenderSpec."""
