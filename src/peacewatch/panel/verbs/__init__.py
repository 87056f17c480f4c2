"""Panel verbs: each returns a (ccode, year)-keyed frame of new columns and the sources it used."""
