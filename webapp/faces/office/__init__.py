"""The office's pages (双随机办): user accounts, plans, the draw ceremonies and the working-day calendar,
posters, and publication."""
