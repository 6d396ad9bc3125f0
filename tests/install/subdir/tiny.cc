// The parent's own target: compiled with the parent's flags only.
int main() { return 0; }
