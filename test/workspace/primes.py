"""Find prime numbers. There is a bug in here: ask Code Tutor to find it."""


def is_prime(n):
    """Return True if n is a prime number."""
    if n < 2:
        return False
    for d in range(2, int(n ** 0.5)):
        if n % d == 0:
            return False
    return True


def primes_up_to(limit):
    """Return every prime from 2 to limit, inclusive."""
    return [n for n in range(2, limit + 1) if is_prime(n)]


if __name__ == "__main__":
    print(primes_up_to(30))  # 4, 9 and 25 show up: why?
