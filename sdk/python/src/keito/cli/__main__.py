from keito.cli import main

main()
