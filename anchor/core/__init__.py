"""The core every stage stands on: values, errors, settings, environment, paths, caches and
their keys, time, the CPU gate and ffmpeg."""
