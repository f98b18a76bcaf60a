"""mujun: the annual per-mu benefit classification (亩均效益评价) of manufacturing enterprises."""
