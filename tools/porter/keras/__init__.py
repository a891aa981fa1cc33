"""``port --to keras``: recognise the TF1 pipeline and write the Keras 3 program.

* :mod:`tools.porter.keras.recognize`: static analysis of the TF1 program (LibCST);
* :mod:`tools.porter.keras.ops`: the TF1 ops it follows and their Keras forms (one table);
  :mod:`tools.porter.keras.losses`: the losses;
* :mod:`tools.porter.keras.writer`: the Keras 3 program, from the registry's Keras side;
  :mod:`tools.porter.keras.kept`: a program with its own data and loop, its graph replaced;
* :mod:`tools.porter.keras.proof`: the test that proves the port (the recognised model
  lowered a second time, to TF1 code on legacy_compat).
"""
