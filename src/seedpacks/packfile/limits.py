"""What a pack file may ask for: its size and shape, and the rows it plans at the largest scale."""

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ITEMS = 10_000
MAX_STRING = 10_000
MAX_TABLES = 20
MAX_COLUMNS = 200
# Generated while checking a file: enough rows to meet every value of a short choice.
TRIAL_ROWS = 200
