from isek.cli import main

main()
