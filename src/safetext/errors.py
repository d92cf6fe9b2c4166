"""User-facing errors: each names the problem and the fix; the CLI prints them without a traceback."""


class SafeTextError(Exception):
    """Base class for errors caused by user input (bad paths, bad prompt files, bad models)."""


class PromptSetError(SafeTextError):
    """A prompt file or prompt set is unreadable, empty or inconsistent."""


class ModelLoadError(SafeTextError):
    """A model path or hub id cannot be loaded as a text-to-image pipeline."""


class OutputExistsError(SafeTextError):
    """The output folder exists and `--overwrite` was not given."""
