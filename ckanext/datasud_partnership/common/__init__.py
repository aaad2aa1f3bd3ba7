"""What every concept of the extension shares."""
