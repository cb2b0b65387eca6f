-- A dealer or broker that ceases trading hands its register to the state (EU 2021/555 Art 4(4),
-- ITI para 12): the holder records when and under which authority; its register stays readable
-- and no firearm can pass to or from it afterwards.
ALTER TABLE holders
    ADD COLUMN ceased_on         date,
    ADD COLUMN ceased_authority  text CHECK (length(ceased_authority) BETWEEN 1 AND 200),
    ADD CONSTRAINT holders_ceased CHECK ((ceased_on IS NULL) = (ceased_authority IS NULL));
