"""The people a digest goes to: who they are, what they asked for, and how they come and go."""
