"""The field (现场检查): what the phone reads (tasks), and what it sends (media, signed records)."""
