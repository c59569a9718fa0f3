"""The directories (一单两库): enterprises, the inspector roster, conflicts of interest, check items, imports."""
